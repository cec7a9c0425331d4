package org.m365mail.policy;

import jakarta.activation.DataHandler;
import jakarta.activation.DataSource;
import jakarta.activation.FileDataSource;
import jakarta.mail.Header;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimePart;
import jakarta.mail.util.ByteArrayDataSource;

import java.io.IOException;
import java.io.InputStream;
import java.util.Enumeration;
import java.util.Locale;

/**
 * An upper bound of the size a message will have on the wire, found from what its parts already know about
 * themselves (text lengths, file and byte-array sizes, the transfer encodings {@code saveChanges} chose), without
 * encoding it.
 *
 * <p>Encoding a message just to measure it costs as much as sending it (the benchmark showed the extra pass at
 * close to half of a small message's send time), so the size check counts exactly only when this bound cannot show
 * that the message fits: a part whose size only its stream knows, or a bound above the limit.
 */
final class EncodedSizeBound {

    /** Per part: the boundary line and the blank lines around it, with room to spare. */
    private static final long BOUNDARY_ALLOWANCE = 128;

    private EncodedSizeBound() {
    }

    /**
     * @return bytes the part takes at most once encoded, or -1 when a part cannot tell its size without being read
     */
    static long of(Part part) throws MessagingException {
        long headers = headerBytes(part);
        long content = contentBound(part);
        return content < 0 ? -1 : headers + content;
    }

    private static long contentBound(Part part) throws MessagingException {
        if (part instanceof MimePart) {
            // Parsed parts (a message read from a stream, or one saved before) hold their encoded bytes already.
            int stored = part.getSize();
            if (stored >= 0 && !hasObjectContent(part)) {
                return stored * 2L; // lines may gain a CR each
            }
        }
        DataHandler handler = part.getDataHandler();
        DataSource source = handler.getDataSource();
        Object content = contentObject(handler);
        if (content instanceof Multipart multipart) {
            long total = BOUNDARY_ALLOWANCE;
            for (int i = 0; i < multipart.getCount(); i++) {
                long inner = of(multipart.getBodyPart(i));
                if (inner < 0) {
                    return -1;
                }
                total += inner + BOUNDARY_ALLOWANCE;
            }
            return total;
        }
        long raw;
        if (content instanceof String text) {
            raw = text.length() * 3L; // UTF-8 takes at most 3 bytes per char (4 per surrogate pair)
        } else if (source instanceof FileDataSource file) {
            raw = file.getFile().length();
        } else if (source instanceof ByteArrayDataSource bytes) {
            raw = available(bytes);
        } else {
            return -1;
        }
        return raw < 0 ? -1 : expansion(part, raw);
    }

    /** The largest a transfer encoding makes {@code raw} bytes, line breaks included. */
    private static long expansion(Part part, long raw) throws MessagingException {
        String[] encoding = part.getHeader("Content-Transfer-Encoding");
        String name = encoding == null || encoding.length == 0 ? "" : encoding[0].trim().toLowerCase(Locale.ROOT);
        return switch (name) {
            // 4 characters per 3 bytes, CRLF after every 76
            case "base64" -> raw * 4 / 3 + (raw / 57 + 1) * 2 + 4;
            // "=XX" per byte at worst, a soft line break after every 73 characters
            case "quoted-printable" -> raw * 3 + (raw * 3 / 73 + 1) * 3;
            // Unknown before saveChanges, or 7bit/8bit/binary: a bare LF can become CRLF.
            default -> name.isEmpty() ? raw * 4 + (raw * 4 / 57 + 1) * 3 : raw * 2;
        };
    }

    private static boolean hasObjectContent(Part part) throws MessagingException {
        DataHandler handler = part.getDataHandler();
        // A part built in code carries an object (text, multipart) or a data source of its own; a parsed one carries
        // its stored bytes behind a data source of the part itself.
        return handler != null && handler.getDataSource() != null
                && !(handler.getDataSource() instanceof jakarta.mail.internet.MimePartDataSource);
    }

    private static Object contentObject(DataHandler handler) {
        DataSource source = handler.getDataSource();
        if (source instanceof FileDataSource || source instanceof ByteArrayDataSource) {
            return null; // their content would be read to produce it
        }
        try {
            Object content = handler.getContent();
            return content instanceof String || content instanceof Multipart ? content : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static long available(ByteArrayDataSource source) {
        // A new stream over the data source's own array: available() is its exact length, nothing is copied.
        try (InputStream in = source.getInputStream()) {
            return in.available();
        } catch (IOException e) {
            return -1;
        }
    }

    private static long headerBytes(Part part) throws MessagingException {
        long total = 2;
        for (Enumeration<Header> e = part.getAllHeaders(); e.hasMoreElements(); ) {
            Header h = e.nextElement();
            // name, ": ", value; folding and encoded words at most double it
            total += (h.getName().length() + 2L + (h.getValue() == null ? 0 : h.getValue().length()) * 3L) * 2 + 2;
        }
        return total;
    }
}
