package org.switchboard.mailets.preprocessor.antivirus;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for clamd on a loopback port, speaking its protocol as clamav-client uses it (z-prefixed, NUL-terminated
 * commands; INSTREAM chunks): answers as a test sets it up, to reach the failures a real clamd rarely shows (no
 * answer at all, a connection closed in the middle of a stream). Tests that need real detection run against the real
 * clamd in the integration tests.
 */
final class FakeClamd implements AutoCloseable {
    enum Mode {
        /** answers like clamd; streams containing {@link #marker} are infected */
        NORMAL,
        /** accepts connections and reads, never answers */
        SILENT,
        /** answers INSTREAM with clamd's reply to a stream over StreamMaxLength */
        SIZE_LIMIT_ERROR,
        /** closes the connection after {@link #closeAfter} bytes of a stream, answers other commands */
        CLOSE_MID_STREAM,
        /** closes the connection after {@link #closeAfter} bytes of a stream, then stops listening */
        CLOSE_MID_STREAM_AND_DIE
    }

    static final String VERSION = "ClamAV 1.4.6/27500/Mon Nov 30 10:00:00 2026";
    static final String SIGNATURE = "Fake.Test.Signature.UNOFFICIAL";

    private final ServerSocket server;
    private final Thread acceptor;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    final List<String> commands = new CopyOnWriteArrayList<>();
    final AtomicInteger streams = new AtomicInteger();
    volatile Mode mode = Mode.NORMAL;
    volatile byte[] marker = "INFECTED-MARKER".getBytes(StandardCharsets.US_ASCII);
    volatile long closeAfter = 1024;

    FakeClamd() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "fake-clamd");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                open.add(socket);
                Thread handler = new Thread(() -> handle(socket), "fake-clamd-connection");
                handler.setDaemon(true);
                handler.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void handle(Socket socket) {
        try (socket) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            String command = readCommand(in);
            commands.add(command);
            Mode current = mode;
            if (current == Mode.SILENT) {
                in.transferTo(OutputStream.nullOutputStream());
                return;
            }
            switch (command) {
                case "VERSIONCOMMANDS" -> reply(out, "ClamAV 1.4.6| COMMANDS: SCAN QUIT RELOAD PING CONTSCAN"
                    + " VERSIONCOMMANDS VERSION END SHUTDOWN MULTISCAN FILDES STATS IDSESSION INSTREAM DETSTATSCLEAR"
                    + " DETSTATS ALLMATCHSCAN");
                case "VERSION" -> reply(out, VERSION);
                case "PING" -> reply(out, "PONG");
                case "INSTREAM" -> instream(socket, in, out, current);
                default -> reply(out, "UNKNOWN COMMAND");
            }
        } catch (IOException e) {
            // the client went away
        } finally {
            open.remove(socket);
        }
    }

    private void instream(Socket socket, DataInputStream in, OutputStream out, Mode current) throws IOException {
        streams.incrementAndGet();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        while (true) {
            int length = in.readInt();
            if (length == 0) {
                break;
            }
            byte[] chunk = in.readNBytes(length);
            if (chunk.length < length) {
                throw new EOFException();
            }
            data.write(chunk);
            if ((current == Mode.CLOSE_MID_STREAM || current == Mode.CLOSE_MID_STREAM_AND_DIE)
                && data.size() >= closeAfter) {
                if (current == Mode.CLOSE_MID_STREAM_AND_DIE) {
                    server.close();
                }
                socket.setSoLinger(true, 0);
                return;
            }
        }
        if (current == Mode.SIZE_LIMIT_ERROR) {
            reply(out, "INSTREAM size limit exceeded. ERROR");
        } else if (contains(data.toByteArray(), marker)) {
            reply(out, "stream: " + SIGNATURE + " FOUND");
        } else {
            reply(out, "stream: OK");
        }
    }

    private static String readCommand(InputStream in) throws IOException {
        int prefix = in.read();
        char terminator = prefix == 'n' ? '\n' : '\0';
        StringBuilder command = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != terminator) {
            command.append((char) c);
        }
        return command.toString();
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\0").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static boolean contains(byte[] data, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= data.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : open) {
            socket.close();
        }
    }
}
