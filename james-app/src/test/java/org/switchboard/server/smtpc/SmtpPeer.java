package org.switchboard.server.smtpc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small SMTP server on a real loopback socket for SMTPC's tests: it answers RCPT as told ({@link #rcptReply}),
 * counts connections and RCPT commands, and records each mail it accepts (envelope and Subject) in order.
 */
final class SmtpPeer implements AutoCloseable {
    /** A mail taken: its envelope, Subject, the connection it came on, and its text (ISO-8859-1, lines end in LF). */
    record Received(String from, List<String> recipients, String subject, int connection, String message) {
    }

    private static final Pattern SUBJECT = Pattern.compile("(?im)^Subject: (.*)$");

    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    final List<Received> received = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger rcptCommands = new AtomicInteger();
    /** ETRN commands received, with the connection they came on ("2 ETRN example.org"). */
    final List<String> etrnCommands = new CopyOnWriteArrayList<>();
    volatile String rcptReply = "250 2.1.5 ok";
    volatile String extraEhlo = "";
    volatile boolean announce8BitMime = true;

    SmtpPeer() throws IOException {
        this(0);
    }

    SmtpPeer(int port) throws IOException {
        server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "smtp-peer-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    List<String> subjects() {
        return received.stream().map(Received::subject).toList();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                int connection = connections.incrementAndGet();
                Thread session = new Thread(() -> serve(socket, connection), "smtp-peer-session");
                session.setDaemon(true);
                session.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket, int connection) {
        try (socket) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = socket.getOutputStream();
            reply(out, "220 peer.test ESMTP");
            String from = null;
            List<String> recipients = new ArrayList<>();
            String line;
            while ((line = in.readLine()) != null) {
                String upper = line.toUpperCase();
                if (upper.startsWith("EHLO")) {
                    reply(out, "250-peer.test" + extraEhlo + (announce8BitMime ? "\r\n250-8BITMIME" : "") + "\r\n250 HELP");
                } else if (upper.startsWith("HELO")) {
                    reply(out, "250 peer.test");
                } else if (upper.startsWith("MAIL FROM:")) {
                    from = line.substring(10).trim();
                    recipients.clear();
                    reply(out, "250 2.1.0 ok");
                } else if (upper.startsWith("RCPT TO:")) {
                    rcptCommands.incrementAndGet();
                    String answer = rcptReply;
                    if (answer.startsWith("250")) {
                        recipients.add(line.substring(8).trim());
                    }
                    reply(out, answer);
                } else if (upper.equals("DATA")) {
                    reply(out, "354 go ahead");
                    StringBuilder message = new StringBuilder();
                    while ((line = in.readLine()) != null && !line.equals(".")) {
                        message.append(line).append("\n");
                    }
                    Matcher subject = SUBJECT.matcher(message);
                    received.add(new Received(from, List.copyOf(recipients), subject.find() ? subject.group(1).trim() : "",
                        connection, message.toString()));
                    reply(out, "250 2.0.0 queued");
                } else if (upper.startsWith("ETRN ")) {
                    etrnCommands.add(connection + " " + line);
                    reply(out, "250 2.0.0 queuing for node " + line.substring(5) + " started");
                } else if (upper.equals("RSET") || upper.equals("NOOP")) {
                    reply(out, "250 2.0.0 ok");
                } else if (upper.equals("QUIT")) {
                    reply(out, "221 2.0.0 bye");
                    return;
                } else {
                    reply(out, "502 5.5.2 not implemented");
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private static void reply(OutputStream out, String reply) throws IOException {
        out.write((reply + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Closes the open connections, as a peer closes idle ones (the server goes on accepting). */
    void dropConnections() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
