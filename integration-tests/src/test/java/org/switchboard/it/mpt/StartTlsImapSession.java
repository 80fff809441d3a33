package org.switchboard.it.mpt;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLSocket;

import org.apache.james.mpt.api.Continuation;
import org.apache.james.mpt.api.Session;
import org.switchboard.it.MailAccess;

/**
 * One IMAP connection of a script to the packaged server. The server takes a password only inside TLS
 * ({@code plainAuthDisallowed}), so the session does STARTTLS before the script starts, as every client must; the
 * script then sees the greeting line James' in-process host gives ({@code * OK IMAP4rev1 Server ready}) in place of
 * our server's own wording, as James' ExternalHostSystem does. A line starting with {@code +} is a continuation
 * request: the script's next client lines are sent then, as in James' in-process host.
 */
final class StartTlsImapSession implements Session {
    static final String SCRIPT_GREETING = "* OK IMAP4rev1 Server ready";
    private static final int TIMEOUT_MILLIS = 30_000;
    private static final Pattern AUTHENTICATE_PLAIN = Pattern.compile("^\\S+ AUTHENTICATE \"?PLAIN\"?$", Pattern.CASE_INSENSITIVE);
    private static final Pattern AUTHENTICATE_PLAIN_LITERAL = Pattern.compile(
        "^(\\S+ AUTHENTICATE \"?PLAIN\"?) \\{(\\d+)\\+}$", Pattern.CASE_INSENSITIVE);
    private static final Pattern AUTHENTICATE_PLAIN_INITIAL = Pattern.compile(
        "^(\\S+ AUTHENTICATE \"?PLAIN\"? )(\\S+)$", Pattern.CASE_INSENSITIVE);

    private static final Pattern NON_SYNCHRONIZING_LITERAL_AT_END = Pattern.compile("\\{(\\d+)\\+}$");

    private final int port;
    private final ScriptAccounts accounts;
    private final Continuation continuation;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private boolean greetingPending;
    /** an AUTHENTICATE PLAIN line whose literal (the SASL response) is the next client line */
    private String pendingAuthenticate;
    private boolean saslResponseNext;
    /** a command announcing a non-synchronizing literal, then the literal's lines, until the literal is complete */
    private final List<String> heldLiteral = new ArrayList<>();
    private long announced;
    private long heldOctets;

    StartTlsImapSession(int port, ScriptAccounts accounts, Continuation continuation) {
        this.port = port;
        this.accounts = accounts;
        this.continuation = continuation;
    }

    @Override
    public void start() throws IOException {
        connect();
        greetingPending = true;
    }

    /** Logs in through TLS: the greeting and the STARTTLS exchange are not the script's. */
    private void connect() throws IOException {
        Socket plain = new Socket("127.0.0.1", port);
        plain.setSoTimeout(TIMEOUT_MILLIS);
        attach(plain);
        String greeting = readRawLine();
        if (!greeting.startsWith("* OK")) {
            throw new IOException("unexpected greeting: " + greeting);
        }
        writeRaw("tls STARTTLS");
        String reply = readRawLine();
        if (!reply.startsWith("tls OK")) {
            throw new IOException("STARTTLS refused: " + reply);
        }
        SSLSocket tls = (SSLSocket) MailAccess.trustAllContext().getSocketFactory()
            .createSocket(plain, "127.0.0.1", port, true);
        tls.setSoTimeout(TIMEOUT_MILLIS);
        tls.startHandshake();
        attach(tls);
        pendingAuthenticate = null;
        saslResponseNext = false;
        heldLiteral.clear();
    }

    private void attach(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    @Override
    public String readLine() throws Exception {
        if (greetingPending) {
            greetingPending = false;
            return SCRIPT_GREETING;
        }
        String line = accounts.toScript(readRawLine());
        if (line.startsWith("+")) {
            continuation.doContinue();
        }
        return line;
    }

    @Override
    public void writeLine(String line) throws Exception {
        if (pendingAuthenticate != null) {
            String response = accounts.saslPlainToServer(line);
            String command = pendingAuthenticate;
            pendingAuthenticate = null;
            writeRaw(command + " {" + response.getBytes(StandardCharsets.US_ASCII).length + "+}\r\n" + response);
            return;
        }
        if (saslResponseNext) {
            saslResponseNext = false;
            sendLine(accounts.saslPlainToServer(line));
            return;
        }
        Matcher literal = AUTHENTICATE_PLAIN_LITERAL.matcher(line);
        if (literal.matches()) {
            // the response's length changes with the account names: sent with the response, length recomputed
            pendingAuthenticate = literal.group(1);
            return;
        }
        if (AUTHENTICATE_PLAIN.matcher(line).matches()) {
            saslResponseNext = true;
            sendLine(line);
            return;
        }
        Matcher initial = AUTHENTICATE_PLAIN_INITIAL.matcher(line);
        if (initial.matches()) {
            sendLine(initial.group(1) + accounts.saslPlainToServer(initial.group(2)));
            return;
        }
        sendLine(accounts.toServer(line));
    }

    /**
     * Sends a client line. A non-synchronizing literal ({@code {N+}}) is held with its lines until it is complete, so
     * that its count can be checked: some of James' scripts (SearchAtoms, SearchCombinations, UidSearch*, Rename)
     * announce one octet more than their text, so that the literal swallows the CR of the command's final CRLF.
     * James' in-process host then takes the lone LF as the end of the command; a network server (ours is James')
     * waits for more. Such a literal is announced with the count of the text it carries: the message stored lacks
     * that trailing CR, which none of the scripts' checks can see (their size thresholds are far from it).
     */
    private void sendLine(String line) throws IOException {
        if (!heldLiteral.isEmpty()) {
            heldLiteral.add(line);
            heldOctets += line.getBytes(StandardCharsets.US_ASCII).length + 2;
            if (heldOctets >= announced) {
                releaseLiteral();
            }
            return;
        }
        Matcher literal = NON_SYNCHRONIZING_LITERAL_AT_END.matcher(line);
        if (literal.find() && Long.parseLong(literal.group(1)) > 0) {
            heldLiteral.add(line);
            announced = Long.parseLong(literal.group(1));
            heldOctets = 0;
            return;
        }
        writeRaw(line);
    }

    private void releaseLiteral() throws IOException {
        String command = heldLiteral.get(0);
        if (heldOctets == announced + 1) {
            command = command.substring(0, command.lastIndexOf('{')) + "{" + (announced - 1) + "+}";
        }
        StringBuilder text = new StringBuilder(command);
        for (String literalLine : heldLiteral.subList(1, heldLiteral.size())) {
            text.append("\r\n").append(literalLine);
        }
        heldLiteral.clear();
        writeRaw(text.toString());
    }

    private void writeRaw(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /**
     * One line up to CRLF, which is removed; a lone CR or LF stays in the line (inside a literal, as a partial FETCH
     * gives), as in James' in-process host. Bytes as ISO-8859-1 characters.
     */
    private String readRawLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n' && previous == '\r') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
            previous = b;
        }
        throw new IOException("connection closed by the server" + (line.size() == 0 ? "" : " after: " + line));
    }

    /** REINIT: a new connection, whose greeting the script does not read (as in James' in-process host). */
    @Override
    public void restart() throws Exception {
        stop();
        connect();
    }

    @Override
    public void stop() throws IOException {
        if (socket != null) {
            socket.close();
        }
    }

    /**
     * AWAIT in a script lets an asynchronous part of the host catch up (James' in-memory host does nothing). Our
     * server's commands complete before their tagged reply, so there is nothing to wait for.
     */
    @Override
    public void await() {
    }
}
