package org.switchboard.it.mpt;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLSocket;

import org.switchboard.it.MailAccess;

/** A mailbox owner's IMAP connection (STARTTLS, LOGIN) for the host operations of the scripts' preparation. */
final class OwnerImapClient implements AutoCloseable {
    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;
    private int tag;

    private OwnerImapClient(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(30_000);
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        this.out = socket.getOutputStream();
    }

    static OwnerImapClient login(int port, String user, String password) throws IOException {
        Socket plain = new Socket("127.0.0.1", port);
        OwnerImapClient cleartext = new OwnerImapClient(plain);
        cleartext.in.readLine();
        cleartext.expectOk("STARTTLS");
        SSLSocket tls = (SSLSocket) MailAccess.trustAllContext().getSocketFactory()
            .createSocket(plain, "127.0.0.1", port, true);
        tls.startHandshake();
        OwnerImapClient client = new OwnerImapClient(tls);
        client.expectOk("LOGIN \"" + user + "\" \"" + password + "\"");
        return client;
    }

    /** Sends a command; returns its untagged lines, fails with the server's reply unless it is a tagged OK. */
    List<String> expectOk(String command) throws IOException {
        String id = "o" + (++tag);
        out.write((id + " " + command + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        List<String> untagged = new ArrayList<>();
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith(id + " ")) {
                if (!line.startsWith(id + " OK")) {
                    throw new IOException(command + " refused: " + line);
                }
                return untagged;
            }
            untagged.add(line);
        }
        throw new IOException("connection closed after " + command);
    }

    @Override
    public void close() throws IOException {
        try {
            expectOk("LOGOUT");
        } finally {
            socket.close();
        }
    }
}
