package org.switchboard.it;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A TNEF stream in a message as Outlook sends it, for the end-to-end tests. The streams, what {@code tnef -K} extracts
 * from them and the readers of what the server delivered are the mailets tests' ({@code TnefMessages}, test-jar).
 */
public final class TnefMail {
    private TnefMail() {
    }

    /**
     * An Outlook-style message as raw CRLF bytes: a text part, then the stream as winmail.dat (application/ms-tnef,
     * base64), written by hand so the test knows every byte it sends.
     */
    public static byte[] messageWithWinmailDat(String from, String to, String subject, String messageId, byte[] tnef) {
        String boundary = "=_tnef_test_boundary_" + Math.abs(messageId.hashCode());
        StringBuilder m = new StringBuilder();
        m.append("From: ").append(from).append("\r\n")
            .append("To: ").append(to).append("\r\n")
            .append("Subject: ").append(subject).append("\r\n")
            .append("Date: Mon, 30 Nov 2026 10:00:00 +0000\r\n")
            .append("Message-ID: ").append(messageId).append("\r\n")
            .append("MIME-Version: 1.0\r\n")
            .append("Content-Type: multipart/mixed; boundary=\"").append(boundary).append("\"\r\n")
            .append("\r\n")
            .append("--").append(boundary).append("\r\n")
            .append("Content-Type: text/plain; charset=us-ascii\r\n")
            .append("\r\n")
            .append("The files are in the attachment.\r\n")
            .append("--").append(boundary).append("\r\n")
            .append("Content-Type: application/ms-tnef; name=\"winmail.dat\"\r\n")
            .append("Content-Transfer-Encoding: base64\r\n")
            .append("Content-Disposition: attachment; filename=\"winmail.dat\"\r\n")
            .append("\r\n");
        String base64 = Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(tnef);
        m.append(base64).append("\r\n")
            .append("--").append(boundary).append("--\r\n");
        return m.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
