package org.apache.james.server.core;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;

import javax.mail.internet.InternetHeaders;

/**
 * Switchboard's replacement for James 3.8.1's class of the same name (it comes first on the server's class path).
 *
 * James serialises header lines with US-ASCII whenever a mailet has touched the headers (adding Delivered-To, removing
 * Bcc...), so every raw 8-bit header octet a client sent became '?': silent corruption of, say, a Latin-1 or UTF-8
 * Subject. javax.mail reads header octets as ISO-8859-1 characters, one char per octet, so writing them back as
 * ISO-8859-1 returns exactly the octets that were received.
 */
public class InternetHeadersInputStream extends InputStream {
    private static final String CRLF = "\r\n";

    private final Enumeration<String> headerLines;
    private byte[] line;
    private int position;

    public InternetHeadersInputStream(InternetHeaders headers) {
        this(headers.getAllHeaderLines());
    }

    public InternetHeadersInputStream(Enumeration<String> headerLines) {
        this.headerLines = headerLines;
    }

    @Override
    public int read() {
        if ((line == null || position == line.length) && !nextLine()) {
            return -1;
        }
        return line[position++] & 0xFF;
    }

    private boolean nextLine() {
        if (!headerLines.hasMoreElements()) {
            return false;
        }
        String text = headerLines.nextElement() + CRLF;
        if (!headerLines.hasMoreElements()) {
            // the empty line that ends the header block
            text += CRLF;
        }
        line = text.getBytes(StandardCharsets.ISO_8859_1);
        position = 0;
        return true;
    }

    @Override
    public void close() {
        line = null;
    }
}
