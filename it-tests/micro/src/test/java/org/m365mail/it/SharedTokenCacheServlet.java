package org.m365mail.it;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.naming.InitialContext;
import java.io.IOException;
import java.io.PrintWriter;

/**
 * For the cluster cache test: every entry of the connector's cache in the server's JCache (Payara's Hazelcast data
 * grid), as any member of the grid holds it, one "name = value" per line.
 */
@WebServlet("/shared-token-cache")
public class SharedTokenCacheServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain; charset=UTF-8");
        PrintWriter out = response.getWriter();
        try {
            CacheManager manager = (CacheManager) new InitialContext().lookup("payara/CacheManager");
            Cache<String, String> cache = manager.getCache("m365-mail-access-tokens", String.class, String.class);
            if (cache == null) {
                out.print("no cache");
                return;
            }
            for (Cache.Entry<String, String> entry : cache) {
                out.println(entry.getKey() + " = " + entry.getValue());
            }
        } catch (Exception e) {
            response.setStatus(500);
            out.print(e);
        }
    }
}
