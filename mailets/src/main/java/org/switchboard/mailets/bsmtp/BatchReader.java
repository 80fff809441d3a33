package org.switchboard.mailets.bsmtp;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.server.core.MimeMessageInputStreamSource;

/**
 * Reads a batch of SMTP commands (RFC 2442 {@code application/batch-SMTP}) into transactions, strictly: a
 * transaction is accepted only when it has a well-formed {@code MAIL FROM}, at least one {@code RCPT TO}, every
 * recipient in the allowed domains, and a {@code DATA} section correctly dot-stuffed and ended by ".". Anything
 * else rejects that transaction (with the reason and the batch line), never a part of it, and the reader goes on
 * with the next one. {@code HELO}, {@code EHLO}, {@code NOOP} are accepted and ignored, {@code RSET} abandons the
 * open transaction (reported too), {@code QUIT} ends the batch. Lines may end in CRLF or a bare LF; the messages
 * come out with CRLF. Each message is streamed into James' message source (memory, or a temporary file when large).
 * MAIL and RCPT parameters ({@code BODY=8BITMIME}, {@code SIZE=}, {@code NOTIFY=}, ...) are checked for syntax and
 * not kept.
 */
public final class BatchReader {
    /** RFC 5321 4.5.3.1.4 allows 512 octets for a command line; 1000 leaves room for long addresses. */
    static final int MAX_COMMAND_LINE = 1000;
    private static final Pattern PARAMETER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]*(=[\\x21-\\x3c\\x3e-\\x7e]+)?");

    /** What a batch held, in order. */
    public sealed interface Outcome permits Transaction, Rejection {
    }

    /** A transaction to inject; its content is the caller's to dispose. */
    public record Transaction(int number, Envelope envelope, MimeMessageInputStreamSource content) implements Outcome {
    }

    /** A transaction (or stray command, number 0) not injected: why, where, and the envelope as far as it read. */
    public record Rejection(int number, int line, String reason, Optional<String> sender, List<String> recipients)
        implements Outcome {
        public String describe() {
            return (number > 0 ? "transaction " + number : "batch") + " (line " + line + "): " + reason
                + sender.map(value -> "; MAIL FROM:<" + value + ">").orElse("")
                + (recipients.isEmpty() ? "" : "; RCPT TO: " + String.join(", ", recipients));
        }
    }

    private enum DataEnd { END, BAD_STUFFING, END_OF_BATCH }

    private final InputStream in;
    private final RecipientDomains allowed;
    private final String key;
    private final List<Outcome> outcomes = new ArrayList<>();
    private int lineNumber;
    private boolean lastLineTooLong;
    private int transactions;
    // the open transaction, if any
    private boolean open;
    private int openLine;
    private Optional<MaybeSender> sender;
    private String rawSender;
    private List<MailAddress> recipients;
    private List<String> rawRecipients;
    private String failure;

    private BatchReader(InputStream in, RecipientDomains allowed, String key) {
        this.in = new BufferedInputStream(in, 64 * 1024);
        this.allowed = allowed;
        this.key = key;
    }

    /**
     * Reads the whole batch. {@code key} names the temporary message sources. An {@link IOException} of the input
     * disposes what was read and is thrown: the batch is then not consumed at all.
     */
    public static List<Outcome> read(InputStream batch, RecipientDomains allowed, String key) throws IOException {
        BatchReader reader = new BatchReader(batch, allowed, key);
        try {
            reader.readAll();
        } catch (IOException | RuntimeException e) {
            dispose(reader.outcomes);
            throw e;
        }
        return List.copyOf(reader.outcomes);
    }

    /** Releases the contents of the transactions (their temporary files). */
    public static void dispose(List<Outcome> outcomes) {
        for (Outcome outcome : outcomes) {
            if (outcome instanceof Transaction transaction) {
                LifecycleUtil.dispose(transaction.content());
            }
        }
    }

    private void readAll() throws IOException {
        while (true) {
            String line = commandLine();
            if (line == null) {
                closeWithoutData("the batch ends before DATA");
                return;
            }
            if (lastLineTooLong) {
                fail("command line longer than " + MAX_COMMAND_LINE + " octets");
                continue;
            }
            if (line.isBlank()) {
                continue;
            }
            String verb = verb(line);
            switch (verb) {
                case "HELO", "EHLO", "NOOP" -> {
                }
                case "RSET" -> closeWithoutData("abandoned by RSET");
                case "QUIT" -> {
                    closeWithoutData("QUIT before DATA");
                    rejectTrailingText();
                    return;
                }
                case "MAIL" -> mail(line);
                case "RCPT" -> rcpt(line);
                case "DATA" -> {
                    if (!data(line)) {
                        return;
                    }
                }
                default -> fail("unknown command '" + printable(line) + "'");
            }
        }
    }

    private void mail(String line) {
        closeWithoutData("no DATA before the next MAIL FROM");
        open = true;
        openLine = lineNumber;
        transactions++;
        recipients = new ArrayList<>();
        rawRecipients = new ArrayList<>();
        failure = null;
        sender = Optional.empty();
        rawSender = null;
        Optional<String> path = path(line, "MAIL FROM:");
        if (path.isEmpty()) {
            return;
        }
        rawSender = path.get();
        if (path.get().isEmpty()) {
            sender = Optional.of(MaybeSender.nullSender());
            return;
        }
        try {
            sender = Optional.of(MaybeSender.of(new MailAddress(withoutSourceRoute(path.get()))));
        } catch (AddressException e) {
            fail("MAIL FROM:<" + printable(path.get()) + "> is not a mail address");
        }
    }

    private void rcpt(String line) {
        if (!open) {
            startFailed("RCPT TO without MAIL FROM");
        }
        Optional<String> path = path(line, "RCPT TO:");
        if (path.isEmpty()) {
            return;
        }
        rawRecipients.add(path.get());
        try {
            MailAddress recipient = new MailAddress(withoutSourceRoute(path.get()));
            if (!allowed.allows(recipient)) {
                fail("recipient " + recipient.asString() + " is outside the allowed domains (" + allowed + ")");
            }
            recipients.add(recipient);
        } catch (AddressException e) {
            fail("RCPT TO:<" + printable(path.get()) + "> is not a mail address");
        }
    }

    /** Reads the DATA section; false when the batch ended inside it. */
    private boolean data(String line) throws IOException {
        if (!line.trim().equalsIgnoreCase("DATA")) {
            fail("malformed DATA command '" + printable(line) + "'");
        }
        if (!open) {
            startFailed("DATA without MAIL FROM");
        } else if (recipients.isEmpty() && rawRecipients.isEmpty()) {
            fail("DATA without RCPT TO");
        }
        if (failure != null) {
            DataEnd end = copyData(OutputStream.nullOutputStream());
            if (end == DataEnd.END_OF_BATCH) {
                fail("the batch ends inside DATA, without the final '.'");
            }
            reject();
            return end != DataEnd.END_OF_BATCH;
        }
        MimeMessageInputStreamSource content = MimeMessageInputStreamSource.create(key + "-" + transactions);
        DataEnd end;
        try (OutputStream out = new BufferedOutputStream(content.getWritableOutputStream(), 64 * 1024)) {
            end = copyData(out);
        } catch (IOException | RuntimeException e) {
            LifecycleUtil.dispose(content);
            throw e;
        }
        if (end != DataEnd.END) {
            LifecycleUtil.dispose(content);
            fail(end == DataEnd.BAD_STUFFING
                ? "a line of DATA starts with a single '.' (the batch is not dot-stuffed)"
                : "the batch ends inside DATA, without the final '.'");
            reject();
            return end != DataEnd.END_OF_BATCH;
        }
        outcomes.add(new Transaction(transactions, new Envelope(sender.orElseThrow(), recipients), content));
        open = false;
        return true;
    }

    /** The transaction open before a MAIL, RSET, QUIT or the end of the batch never reached DATA. */
    private void closeWithoutData(String reason) {
        if (open) {
            fail(reason);
            reject();
        }
    }

    private void startFailed(String reason) {
        open = true;
        openLine = lineNumber;
        transactions++;
        recipients = new ArrayList<>();
        rawRecipients = new ArrayList<>();
        sender = Optional.empty();
        rawSender = null;
        failure = reason;
    }

    /** The first problem of the open transaction is its reason; outside a transaction, a rejection on its own. */
    private void fail(String reason) {
        if (!open) {
            outcomes.add(new Rejection(0, lineNumber, reason, Optional.empty(), List.of()));
        } else if (failure == null) {
            failure = reason + " (line " + lineNumber + ")";
        }
    }

    private void reject() {
        outcomes.add(new Rejection(transactions, openLine, failure, Optional.ofNullable(rawSender), rawRecipients));
        open = false;
    }

    private void rejectTrailingText() throws IOException {
        String line;
        while ((line = commandLine()) != null) {
            if (!line.isBlank()) {
                outcomes.add(new Rejection(0, lineNumber, "text after QUIT, ignored: '" + printable(line) + "'",
                    Optional.empty(), List.of()));
                return;
            }
        }
    }

    /** The path of {@code MAIL FROM:<path> params} or {@code RCPT TO:<path> params}; records a failure when malformed. */
    private Optional<String> path(String line, String prefix) {
        if (!line.regionMatches(true, 0, prefix, 0, prefix.length())) {
            fail("malformed command '" + printable(line) + "', expected " + prefix + "<address>");
            return Optional.empty();
        }
        String rest = line.substring(prefix.length());
        if (rest.startsWith(" ")) {
            rest = rest.substring(1);
        }
        int close = closingBracket(rest);
        if (!rest.startsWith("<") || close < 0) {
            fail("malformed command '" + printable(line) + "', expected " + prefix + "<address>");
            return Optional.empty();
        }
        String parameters = rest.substring(close + 1);
        if (!parameters.isEmpty()) {
            if (!parameters.startsWith(" ")) {
                fail("malformed command '" + printable(line) + "': no space before the parameters");
                return Optional.empty();
            }
            for (String parameter : parameters.trim().split(" +")) {
                if (!PARAMETER.matcher(parameter).matches()) {
                    fail("malformed parameter '" + printable(parameter) + "' in '" + printable(line) + "'");
                    return Optional.empty();
                }
            }
        }
        return Optional.of(rest.substring(1, close));
    }

    /** The '>' closing a path that starts with '<', outside quoted local parts; -1 if none. */
    private static int closingBracket(String text) {
        boolean quoted = false;
        for (int i = 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '>' && !quoted) {
                return i;
            }
        }
        return -1;
    }

    /** RFC 5321 4.1.2: an old source route ({@code @a,@b:user@c}) is accepted and ignored. */
    private static String withoutSourceRoute(String path) {
        if (path.startsWith("@") && path.indexOf(':') > 0) {
            return path.substring(path.indexOf(':') + 1);
        }
        return path;
    }

    private static String verb(String line) {
        int end = 0;
        while (end < line.length() && Character.isLetter(line.charAt(end))) {
            end++;
        }
        return line.substring(0, end).toUpperCase(Locale.ROOT);
    }

    /** A command line without its line end, null at the end of the batch; a longer one is cut and marked too long. */
    private String commandLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b = in.read();
        if (b == -1) {
            return null;
        }
        lineNumber++;
        boolean tooLong = false;
        while (b != -1 && b != '\n') {
            if (line.size() <= MAX_COMMAND_LINE) {
                line.write(b);
            } else {
                tooLong = true;
            }
            b = in.read();
        }
        lastLineTooLong = tooLong;
        byte[] bytes = line.toByteArray();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    /**
     * Copies DATA lines up to the "." line, removing the stuffed dot and ending each line in CRLF. A line starting
     * with a single "." (other than the end) means the writer did not dot-stuff: the data may be cut anywhere.
     */
    private DataEnd copyData(OutputStream out) throws IOException {
        boolean badStuffing = false;
        while (true) {
            int b = in.read();
            if (b == -1) {
                return DataEnd.END_OF_BATCH;
            }
            lineNumber++;
            if (b == '.') {
                b = in.read();
                if (b == '\n') {
                    return badStuffing ? DataEnd.BAD_STUFFING : DataEnd.END;
                }
                if (b == '\r') {
                    b = in.read();
                    if (b == '\n') {
                        return badStuffing ? DataEnd.BAD_STUFFING : DataEnd.END;
                    }
                    badStuffing = true;
                    out.write('\r');
                } else if (b != '.') {
                    badStuffing = true;
                }
                if (b == -1) {
                    return DataEnd.END_OF_BATCH;
                }
            }
            if (!copyLine(b, out)) {
                return DataEnd.END_OF_BATCH;
            }
        }
    }

    /** Copies the rest of a line starting with {@code first}, ending it with CRLF; false at the end of the batch. */
    private boolean copyLine(int first, OutputStream out) throws IOException {
        boolean afterCr = false;
        int b = first;
        while (b != -1) {
            if (b == '\n') {
                out.write('\r');
                out.write('\n');
                return true;
            }
            if (afterCr) {
                out.write('\r');
            }
            afterCr = b == '\r';
            if (!afterCr) {
                out.write(b);
            }
            b = in.read();
        }
        return false;
    }

    /** A command as it may be logged: control characters shown as '?', at most 200 characters. */
    private static String printable(String text) {
        String shown = text.length() > 200 ? text.substring(0, 200) + "..." : text;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
