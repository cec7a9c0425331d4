package org.m365mail.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Whether a host is this machine, decided by what its name resolves to rather than by how it is spelled: a name such
 * as {@code 127.example.net} or {@code localhost.attacker.example} looks local and is not, and a name in
 * {@code /etc/hosts} may point anywhere.
 */
public final class Loopback {

    private Loopback() {
    }

    /**
     * @param host a host name or an address literal (IPv6 with or without brackets)
     * @return whether every address the host resolves to is a loopback address; {@code false} when it does not resolve
     */
    public static boolean isLoopback(String host) {
        if (host == null || host.isBlank()) {
            return false;
        }
        String h = host.trim();
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        try {
            InetAddress[] addresses = InetAddress.getAllByName(h);
            if (addresses.length == 0) {
                return false;
            }
            for (InetAddress address : addresses) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException | SecurityException e) {
            return false;
        }
    }
}
