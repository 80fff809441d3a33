package org.switchboard.it;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.mail.FetchProfile;
import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.Store;
import javax.mail.UIDFolder;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** Mailbox access as a client does it (IMAP and POP3 over STARTTLS/STLS), WebAdmin reads, and byte helpers. */
public final class MailAccess {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private MailAccess() {
    }

    /** A message as IMAP returns it: its UID and the exact bytes of {@code BODY.PEEK[]}. */
    public record ImapMessage(long uid, byte[] raw) {
        public String text() {
            return new String(raw, StandardCharsets.ISO_8859_1);
        }
    }

    /** A message as POP3 returns it: its UIDL unique-id and the exact bytes of RETR. */
    public record PopMessage(String uidl, byte[] raw) {
    }

    /** Trusts any certificate: the packaged server generates a self-signed one at first start. */
    public static SSLContext trustAllContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Session imapSession(int port) {
        Properties props = new Properties();
        props.put("mail.imap.host", "127.0.0.1");
        props.put("mail.imap.port", Integer.toString(port));
        props.put("mail.imap.starttls.enable", "true");
        props.put("mail.imap.starttls.required", "true");
        props.put("mail.imap.ssl.trust", "*");
        props.put("mail.imap.peek", "true");
        props.put("mail.imap.partialfetch", "false");
        props.put("mail.imap.connectiontimeout", "20000");
        props.put("mail.imap.timeout", "30000");
        return Session.getInstance(props);
    }

    /** Something read from a user's INBOX, opened read-only. */
    @FunctionalInterface
    private interface InboxReader<T> {
        T read(Folder inbox) throws MessagingException, IOException;
    }

    /** Logs in over IMAP after STARTTLS, opens INBOX read-only, reads it, closes everything. */
    private static <T> T withInbox(int port, String user, String password, InboxReader<T> reader)
            throws MessagingException, IOException {
        return withFolder(port, user, password, "INBOX", reader);
    }

    /** Every message of the folder of that name (EXAMINE), in UID order, as {@link #imapInbox} reads INBOX. */
    public static List<ImapMessage> imapFolder(int port, String user, String password, String folder)
            throws MessagingException, IOException {
        return withFolder(port, user, password, folder, MailAccess::messages);
    }

    private static <T> T withFolder(int port, String user, String password, String folder, InboxReader<T> reader)
            throws MessagingException, IOException {
        Store store = imapSession(port).getStore("imap");
        store.connect("127.0.0.1", port, user, password);
        try {
            Folder inbox = store.getFolder(folder);
            inbox.open(Folder.READ_ONLY);
            try {
                return reader.read(inbox);
            } finally {
                inbox.close(false);
            }
        } finally {
            store.close();
        }
    }

    /** Waits up to {@code timeout} for the message with this {@code X-Test-Id:} header in the user's INBOX. */
    public static ImapMessage awaitTestMessage(int port, String user, String password, String testId, Duration timeout) {
        byte[] needle = ("X-Test-Id: " + testId + "\r\n").getBytes(StandardCharsets.US_ASCII);
        List<ImapMessage> found = new ArrayList<>();
        org.awaitility.Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(400)).ignoreExceptions().until(() -> {
            found.clear();
            imapInbox(port, user, password).stream().filter(message -> contains(message.raw(), needle)).forEach(found::add);
            return !found.isEmpty();
        });
        return found.get(0);
    }

    /** Every message of INBOX, in UID order, fetched with {@code BODY.PEEK[]} over IMAP after STARTTLS. */
    public static List<ImapMessage> imapInbox(int port, String user, String password) throws MessagingException, IOException {
        return withInbox(port, user, password, MailAccess::messages);
    }

    private static List<ImapMessage> messages(Folder folder) throws MessagingException, IOException {
        UIDFolder uids = (UIDFolder) folder;
        List<ImapMessage> messages = new ArrayList<>();
        for (Message message : folder.getMessages()) {
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            message.writeTo(raw);
            messages.add(new ImapMessage(uids.getUID(message), raw.toByteArray()));
        }
        return messages;
    }

    /** The Subject of every message of INBOX, in mailbox order (envelopes only: cheap on large mailboxes). */
    public static List<String> imapSubjects(int port, String user, String password) throws MessagingException, IOException {
        return withInbox(port, user, password, inbox -> {
            Message[] messages = inbox.getMessages();
            FetchProfile envelopes = new FetchProfile();
            envelopes.add(FetchProfile.Item.ENVELOPE);
            inbox.fetch(messages, envelopes);
            List<String> subjects = new ArrayList<>();
            for (Message message : messages) {
                subjects.add(message.getSubject());
            }
            return subjects;
        });
    }

    public static int imapCount(int port, String user, String password) throws MessagingException, IOException {
        return withInbox(port, user, password, Folder::getMessageCount);
    }

    /**
     * Every message of the POP3 maildrop with its UIDL, after STLS; deletes nothing. Raw protocol (not Jakarta Mail):
     * the server lists UIDL in CAPA only after login, and Jakarta Mail 1.6 reads CAPA before login, concludes that
     * UIDL is not supported and returns null unique-ids.
     */
    public static List<PopMessage> pop3(int port, String user, String password) throws IOException {
        try (Socket plain = new Socket("127.0.0.1", port)) {
            LineProtocol pop = pop3AfterStls(plain, port);
            pop.ok(pop.call("USER " + user), "USER");
            pop.ok(pop.call("PASS " + password), "PASS");
            pop.ok(pop.call("UIDL"), "UIDL");
            List<String[]> listing = new ArrayList<>();
            for (byte[] line : pop.multiline()) {
                listing.add(new String(line, StandardCharsets.US_ASCII).split(" ", 2));
            }
            List<PopMessage> messages = new ArrayList<>();
            for (String[] entry : listing) {
                pop.ok(pop.call("RETR " + entry[0]), "RETR " + entry[0]);
                ByteArrayOutputStream raw = new ByteArrayOutputStream();
                for (byte[] line : pop.multiline()) {
                    raw.writeBytes(line);
                    raw.write('\r');
                    raw.write('\n');
                }
                messages.add(new PopMessage(entry[1], raw.toByteArray()));
            }
            pop.ok(pop.call("QUIT"), "QUIT");
            return messages;
        }
    }

    /**
     * The server's answer to a POP3 login after STLS: the answer to {@code USER} if it is not {@code +OK}, else the
     * answer to {@code PASS}. A refused login answers {@code -ERR ...}; a server that is down fails to connect.
     */
    public static String pop3LoginAnswer(int port, String user, String password) throws IOException {
        try (Socket plain = new Socket("127.0.0.1", port)) {
            LineProtocol pop = pop3AfterStls(plain, port);
            String answer = pop.call("USER " + user);
            return answer.startsWith("+OK") ? pop.call("PASS " + password) : answer;
        }
    }

    private static LineProtocol pop3AfterStls(Socket plain, int port) throws IOException {
        plain.setSoTimeout(30_000);
        LineProtocol pop = new LineProtocol(plain);
        pop.ok(pop.line(), "greeting");
        pop.ok(pop.call("STLS"), "STLS");
        return new LineProtocol(startTls(plain, port));
    }

    /**
     * The server's tagged answer to IMAP {@code LOGIN} after STARTTLS, e.g. {@code a2 OK ...} or, for a refused login,
     * {@code a2 NO ...}; a server that is down fails to connect.
     */
    public static String imapLoginAnswer(int port, String user, String password) throws IOException {
        try (Socket plain = new Socket("127.0.0.1", port)) {
            plain.setSoTimeout(30_000);
            LineProtocol imap = new LineProtocol(plain);
            String greeting = imap.line();
            if (!greeting.startsWith("* OK")) {
                throw new IllegalStateException("IMAP greeting: " + greeting);
            }
            String starttls = imap.tagged("a1", "STARTTLS");
            if (!starttls.startsWith("a1 OK")) {
                throw new IllegalStateException("IMAP STARTTLS answered " + starttls);
            }
            imap = new LineProtocol(startTls(plain, port));
            return imap.tagged("a2", "LOGIN " + imapQuoted(user) + " " + imapQuoted(password));
        }
    }

    private static String imapQuoted(String text) {
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /** Upgrades a connection whose STARTTLS (or STLS) the server accepted; trusts the server's certificate. */
    static SSLSocket startTls(Socket plain, int port) throws IOException {
        SSLSocket tls = (SSLSocket) trustAllContext().getSocketFactory().createSocket(plain, "localhost", port, true);
        tls.setUseClientMode(true);
        tls.startHandshake();
        return tls;
    }

    /**
     * Just enough of a line-based protocol (POP3, IMAP): status lines, tagged IMAP answers, and dot-terminated,
     * dot-unstuffed multi-line answers, as bytes.
     */
    private static final class LineProtocol {
        private final InputStream in;
        private final OutputStream out;

        LineProtocol(Socket socket) throws IOException {
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        /** Sends {@code TAG COMMAND}; returns the answer line that starts with the tag (untagged lines skipped). */
        String tagged(String tag, String command) throws IOException {
            String line = call(tag + " " + command);
            while (!line.startsWith(tag + " ")) {
                line = line();
            }
            return line;
        }

        String call(String command) throws IOException {
            out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return line();
        }

        String line() throws IOException {
            return new String(rawLine(), StandardCharsets.ISO_8859_1);
        }

        void ok(String status, String what) {
            if (!status.startsWith("+OK")) {
                throw new IllegalStateException("POP3 " + what + " answered " + status);
            }
        }

        List<byte[]> multiline() throws IOException {
            List<byte[]> lines = new ArrayList<>();
            while (true) {
                byte[] line = rawLine();
                if (line.length == 1 && line[0] == '.') {
                    return lines;
                }
                if (line.length > 0 && line[0] == '.') {
                    line = java.util.Arrays.copyOfRange(line, 1, line.length);
                }
                lines.add(line);
            }
        }

        /** A line without its CRLF (a CR before the LF is dropped; other CRs are kept). */
        private byte[] rawLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true) {
                int b = in.read();
                if (b < 0) {
                    throw new EOFException("the server closed the connection after: " + line.toString(StandardCharsets.ISO_8859_1));
                }
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    return bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? java.util.Arrays.copyOf(bytes, bytes.length - 1) : bytes;
                }
                line.write(b);
            }
        }
    }

    /** GET on WebAdmin (127.0.0.1, no authentication in the default configuration); fails unless 200. */
    public static String webAdmin(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** The mails of a WebAdmin queue listing ({@code GET /mailQueues/NAME/mails}) that have this recipient. */
    public static List<String> queuedMailsFor(String queueListing, String recipient) {
        List<String> found = new ArrayList<>();
        Matcher mail = Pattern.compile("\\{[^{}]*\\}").matcher(queueListing);
        Pattern rcpt = Pattern.compile("\"recipients\"\\s*:\\s*\\[[^\\]]*\"" + Pattern.quote(recipient) + "\"");
        while (mail.find()) {
            if (rcpt.matcher(mail.group()).find()) {
                found.add(mail.group());
            }
        }
        return found;
    }

    /**
     * The WebAdmin view, with its attributes, of the one mail from {@code sender} in a mail repository
     * ({@code /mailRepositories/PATH/mails}), waiting up to {@code timeout} for it.
     */
    public static String repositoryMailFrom(int webAdminPort, String repositoryMails, String sender, Duration timeout) {
        List<String> found = new ArrayList<>();
        org.awaitility.Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            found.clear();
            Matcher key = Pattern.compile("\"([^\"]+)\"").matcher(webAdmin(webAdminPort, repositoryMails));
            while (key.find()) {
                String mail = webAdmin(webAdminPort, repositoryMails + "/" + key.group(1) + "?additionalFields=attributes");
                if (mail.contains("\"sender\":\"" + sender + "\"")) {
                    found.add(mail);
                }
            }
            return found.size() == 1;
        });
        return found.get(0);
    }

    /**
     * The {@code message/delivery-status} part of an RFC 3464 report ({@code multipart/report;
     * report-type=delivery-status}, the status in its second part), or null when the message is not one.
     */
    public static String deliveryStatus(byte[] raw) throws MessagingException, IOException {
        javax.mail.internet.MimeMessage message = new javax.mail.internet.MimeMessage(Session.getInstance(new Properties()),
            new java.io.ByteArrayInputStream(raw));
        javax.mail.internet.ContentType type = new javax.mail.internet.ContentType(message.getContentType());
        if (!type.match("multipart/report") || !"delivery-status".equals(type.getParameter("report-type"))) {
            return null;
        }
        javax.mail.BodyPart status = ((javax.mail.Multipart) message.getContent()).getBodyPart(1);
        if (!status.isMimeType("message/delivery-status")) {
            return null;
        }
        return new String(status.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    }

    /** A mail attribute's value as WebAdmin shows it (a string), or null when the mail does not have it. */
    public static String attribute(String mailJson, String name) {
        Matcher value = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"((?:\\\\.|[^\"\\\\])*)\"").matcher(mailJson);
        return value.find() ? value.group(1) : null;
    }

    /** Extracts {@code "size":N} from a WebAdmin answer. */
    public static long jsonSize(String json) {
        Matcher size = Pattern.compile("\"size\"\\s*:\\s*(\\d+)").matcher(json);
        if (!size.find()) {
            throw new IllegalStateException("no size in " + json);
        }
        return Long.parseLong(size.group(1));
    }

    /** Line ends normalised to CRLF (lone CR or LF become CRLF), and a final CRLF added when missing. */
    public static byte[] toCrlf(byte[] message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + 64);
        for (int i = 0; i < message.length; i++) {
            byte b = message[i];
            if (b == '\r') {
                out.write('\r');
                out.write('\n');
                if (i + 1 < message.length && message[i + 1] == '\n') {
                    i++;
                }
            } else if (b == '\n') {
                out.write('\r');
                out.write('\n');
            } else {
                out.write(b);
            }
        }
        byte[] result = out.toByteArray();
        if (result.length < 2 || result[result.length - 2] != '\r' || result[result.length - 1] != '\n') {
            out.write('\r');
            out.write('\n');
            result = out.toByteArray();
        }
        return result;
    }

    /** The header fields of a CRLF message, each with its continuation lines, as ISO-8859-1 text (CRLF kept). */
    public static List<String> headerFields(byte[] crlfMessage) {
        String text = new String(crlfMessage, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        String header = end < 0 ? text : text.substring(0, end + 2);
        List<String> fields = new ArrayList<>();
        for (String line : header.split("(?<=\r\n)")) {
            if (!fields.isEmpty() && (line.startsWith(" ") || line.startsWith("\t"))) {
                fields.set(fields.size() - 1, fields.get(fields.size() - 1) + line);
            } else if (!line.isEmpty()) {
                fields.add(line);
            }
        }
        return fields;
    }

    /**
     * The trace block the server prepends at local delivery, if it is there: the leading header fields that are
     * {@code Return-Path: <sender>}, {@code Delivered-To: recipient} or a {@code Received:} field written by this
     * server ({@code JAMES SMTP Server}, "for <recipient>"). Stops at the first other field, so a message's own
     * trace fields (from earlier hops) are not taken.
     */
    public static List<String> prependedTrace(byte[] delivered, String sender, String recipient) {
        List<String> trace = new ArrayList<>();
        for (String field : headerFields(delivered)) {
            String lower = field.toLowerCase(Locale.ROOT);
            boolean ours = lower.startsWith("return-path:") && lower.contains("<" + sender.toLowerCase(Locale.ROOT) + ">")
                || lower.startsWith("delivered-to:") && lower.substring("delivered-to:".length()).trim().equals(recipient.toLowerCase(Locale.ROOT))
                || lower.startsWith("received:") && field.contains("JAMES SMTP Server") && lower.contains("for <" + recipient.toLowerCase(Locale.ROOT) + ">");
            if (!ours) {
                break;
            }
            trace.add(field);
        }
        return trace;
    }

    /** The delivered message without the trace block of {@link #prependedTrace}. */
    public static byte[] withoutPrependedTrace(byte[] delivered, String sender, String recipient) {
        int length = 0;
        for (String field : prependedTrace(delivered, sender, recipient)) {
            length += field.getBytes(StandardCharsets.ISO_8859_1).length;
        }
        byte[] rest = new byte[delivered.length - length];
        System.arraycopy(delivered, length, rest, 0, rest.length);
        return rest;
    }

    /** The message with every header field of this name removed from its header (the body is untouched). */
    public static byte[] withoutHeaderField(byte[] crlfMessage, String name) {
        List<String> fields = headerFields(crlfMessage);
        int headerLength = 0;
        StringBuilder kept = new StringBuilder();
        for (String field : fields) {
            headerLength += field.length();
            if (!field.toLowerCase(Locale.ROOT).startsWith(name.toLowerCase(Locale.ROOT) + ":")) {
                kept.append(field);
            }
        }
        byte[] head = kept.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] result = new byte[head.length + crlfMessage.length - headerLength];
        System.arraycopy(head, 0, result, 0, head.length);
        System.arraycopy(crlfMessage, headerLength, result, head.length, crlfMessage.length - headerLength);
        return result;
    }

    /** Fails with a line diff (not two byte dumps) unless the two messages are the same bytes. */
    public static void assertSameBytes(byte[] expected, byte[] actual, String what) {
        if (!java.util.Arrays.equals(expected, actual)) {
            throw new AssertionError(what + " (" + expected.length + " octets sent, " + actual.length + " delivered):\n" + diff(expected, actual));
        }
    }

    public static boolean contains(byte[] haystack, byte[] needle) {
        return indexOf(haystack, needle) >= 0;
    }

    public static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * A unified-style line diff of two CRLF messages (ISO-8859-1 view, non-printable bytes escaped), for failure
     * messages: shows only the differing lines with two lines of context.
     */
    public static String diff(byte[] expected, byte[] actual) {
        String[] a = new String(expected, StandardCharsets.ISO_8859_1).split("\r\n", -1);
        String[] b = new String(actual, StandardCharsets.ISO_8859_1).split("\r\n", -1);
        int[][] lcs = new int[a.length + 1][b.length + 1];
        for (int i = a.length - 1; i >= 0; i--) {
            for (int j = b.length - 1; j >= 0; j--) {
                lcs[i][j] = a[i].equals(b[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<String> lines = new ArrayList<>();
        List<Boolean> changed = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.length || j < b.length) {
            if (i < a.length && j < b.length && a[i].equals(b[j])) {
                lines.add("  " + printable(a[i]));
                changed.add(false);
                i++;
                j++;
            } else if (j < b.length && (i == a.length || lcs[i][j + 1] > lcs[i + 1][j])) {
                lines.add("+ " + printable(b[j]));
                changed.add(true);
                j++;
            } else {
                lines.add("- " + printable(a[i]));
                changed.add(true);
                i++;
            }
        }
        StringBuilder out = new StringBuilder("--- sent\n+++ delivered\n");
        int lastShown = -1;
        for (int k = 0; k < lines.size(); k++) {
            boolean near = false;
            for (int d = -2; d <= 2; d++) {
                if (k + d >= 0 && k + d < lines.size() && changed.get(k + d)) {
                    near = true;
                }
            }
            if (near) {
                if (lastShown >= 0 && k > lastShown + 1) {
                    out.append("  ...\n");
                }
                String line = lines.get(k);
                out.append(line.length() > 220 ? line.substring(0, 220) + "...(" + line.length() + " chars)" : line).append('\n');
                lastShown = k;
            }
        }
        return out.toString();
    }

    private static String printable(String line) {
        StringBuilder out = new StringBuilder();
        for (char c : line.toCharArray()) {
            if (c >= 0x20 && c < 0x7f || c == '\t') {
                out.append(c);
            } else {
                out.append(String.format("\\x%02X", (int) c));
            }
        }
        return out.toString();
    }
}
