package org.switchboard.it;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.net.ssl.SSLSocket;

/**
 * A raw SMTP client: one line out, one reply in, nothing hidden. It sends exactly the bytes a test gives it (garbage
 * included), so the replies it reads are the server's answers to those bytes and to nothing else.
 */
public final class SmtpClient implements Closeable {
    private static final int TIMEOUT_MILLIS = 30_000;

    private final int port;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final Reply greeting;

    private SmtpClient(int port, String localAddress) throws IOException {
        this.port = port;
        this.socket = new Socket();
        if (localAddress != null) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.greeting = readReply();
    }

    /** Connects from 127.0.0.1 (an authorized address on the MX port). */
    public static SmtpClient connect(int port) throws IOException {
        return new SmtpClient(port, null);
    }

    /** Connects from the given loopback address, e.g. 127.0.0.2 to play a remote, unauthorized client. */
    public static SmtpClient connectFrom(String localAddress, int port) throws IOException {
        return new SmtpClient(port, localAddress);
    }

    public Reply greeting() {
        return greeting;
    }

    /** Sends {@code line} followed by CRLF and reads one reply. */
    public Reply command(String line) throws IOException {
        return raw((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Sends the bytes as they are and reads one reply. */
    public Reply raw(byte[] bytes) throws IOException {
        write(bytes);
        return readReply();
    }

    public void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public Reply ehlo(String name) throws IOException {
        return command("EHLO " + name);
    }

    /** STARTTLS (expects 220), then the TLS handshake trusting the server's self-signed certificate. */
    public void startTls() throws IOException {
        Reply reply = command("STARTTLS");
        if (reply.code() != 220) {
            throw new IllegalStateException("STARTTLS refused: " + reply);
        }
        SSLSocket tls = MailAccess.startTls(socket, port);
        socket = tls;
        socket.setSoTimeout(TIMEOUT_MILLIS);
        in = tls.getInputStream();
        out = tls.getOutputStream();
    }

    /** AUTH PLAIN with an initial response; returns the server's final reply (235 on success). */
    public Reply authPlain(String user, String password) throws IOException {
        String token = Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
        return command("AUTH PLAIN " + token);
    }

    /** AUTH LOGIN in three steps; returns the first reply that is not 334 (235 on success). */
    public Reply authLogin(String user, String password) throws IOException {
        Reply reply = command("AUTH LOGIN");
        if (reply.code() != 334) {
            return reply;
        }
        reply = command(Base64.getEncoder().encodeToString(user.getBytes(StandardCharsets.UTF_8)));
        if (reply.code() != 334) {
            return reply;
        }
        return command(Base64.getEncoder().encodeToString(password.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * MAIL FROM, RCPT TO (each recipient), DATA and the message. Returns the first reply that refused a step, or the
     * reply to the final dot. The message is sent with CRLF line ends and dot-stuffing, as SMTP requires.
     */
    public Reply send(String from, List<String> to, byte[] message) throws IOException {
        Reply reply = command("MAIL FROM:<" + from + ">");
        if (reply.code() != 250) {
            return reply;
        }
        for (String recipient : to) {
            reply = command("RCPT TO:<" + recipient + ">");
            if (reply.code() != 250 && reply.code() != 251) {
                return reply;
            }
        }
        return data(message);
    }

    public Reply send(String from, String to, byte[] message) throws IOException {
        return send(from, List.of(to), message);
    }

    /** DATA (expects 354), then the dot-stuffed message and the final dot; returns the reply to the final dot. */
    public Reply data(byte[] message) throws IOException {
        Reply reply = command("DATA");
        if (reply.code() != 354) {
            return reply;
        }
        return raw(dotStuff(MailAccess.toCrlf(message)));
    }

    public Reply quit() throws IOException {
        return command("QUIT");
    }

    /** Reads one (possibly multi-line) reply. */
    public Reply readReply() throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = readLine();
            lines.add(line);
            if (line.length() < 4 || line.charAt(3) != '-') {
                break;
            }
        }
        String first = lines.get(0);
        int code;
        try {
            code = Integer.parseInt(first.substring(0, Math.min(3, first.length())));
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Not an SMTP reply: " + lines);
        }
        return new Reply(code, List.copyOf(lines));
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("Connection closed by the server after: " + line.toString(StandardCharsets.ISO_8859_1));
            }
            if (b == '\n') {
                break;
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    /** RFC 5321 4.5.2: a line starting with '.' gets one more; then CRLF.CRLF (the message already ends with CRLF). */
    static byte[] dotStuff(byte[] crlfMessage) {
        ByteArrayOutputStream stuffed = new ByteArrayOutputStream(crlfMessage.length + 64);
        boolean lineStart = true;
        for (byte b : crlfMessage) {
            if (lineStart && b == '.') {
                stuffed.write('.');
            }
            stuffed.write(b);
            lineStart = b == '\n';
        }
        stuffed.writeBytes(".\r\n".getBytes(StandardCharsets.US_ASCII));
        return stuffed.toByteArray();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** An SMTP reply: its code and its lines as received (CRLF removed). */
    public record Reply(int code, List<String> lines) {
        public String text() {
            return String.join("\n", lines);
        }

        /** The enhanced status code (RFC 3463) of the first line, or "" when there is none. */
        public String enhancedCode() {
            String first = lines.get(0);
            if (first.length() < 5) {
                return "";
            }
            String rest = first.substring(4);
            int space = rest.indexOf(' ');
            String candidate = space < 0 ? rest : rest.substring(0, space);
            return candidate.matches("[245]\\.\\d{1,3}\\.\\d{1,3}") ? candidate : "";
        }

        public boolean isPermanentFailure() {
            return code >= 500 && code < 600;
        }

        @Override
        public String toString() {
            String shown = text();
            return shown.length() > 300 ? shown.substring(0, 300) + "...(" + shown.length() + " chars)" : shown;
        }
    }
}
