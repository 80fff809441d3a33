package org.switchboard.mailets.bsmtp;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The DATA section of an SMTP transaction (RFC 5321 4.5.2): every line ends in CRLF (a bare LF becomes CRLF), a line
 * starting with "." gets a second one, and {@link #finish()} ends the last line and writes the "." line. A CR not
 * followed by LF stays inside its line, as it was. Streams: nothing is kept but the previous octet's state.
 */
final class DotStuffingOutputStream extends FilterOutputStream {
    private boolean atLineStart = true;
    private boolean afterCr;

    DotStuffingOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        if (b == '\n') {
            if (!afterCr) {
                out.write('\r');
            }
            out.write('\n');
            atLineStart = true;
            afterCr = false;
            return;
        }
        if (atLineStart && b == '.') {
            out.write('.');
        }
        out.write(b);
        atLineStart = false;
        afterCr = b == '\r';
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        int end = offset + length;
        int runStart = offset;
        for (int i = offset; i < end; i++) {
            byte b = bytes[i];
            // octets that need no change are written in runs; the others one by one. A LF always ends a run, so a
            // line can only start at the first octet of a run
            if (b == '\n' || (b == '.' && i == runStart && atLineStart)) {
                flushRun(bytes, runStart, i);
                write(b);
                runStart = i + 1;
            }
        }
        flushRun(bytes, runStart, end);
    }

    private void flushRun(byte[] bytes, int from, int to) throws IOException {
        if (to > from) {
            out.write(bytes, from, to - from);
            atLineStart = false;
            afterCr = bytes[to - 1] == '\r';
        }
    }

    /** Ends the last line if the message did not, and writes the end of data, ".". Does not close the stream. */
    void finish() throws IOException {
        if (!atLineStart) {
            if (!afterCr) {
                out.write('\r');
            }
            out.write('\n');
        }
        out.write(new byte[] {'.', '\r', '\n'});
        atLineStart = true;
        afterCr = false;
    }

    @Override
    public void close() throws IOException {
        flush();
    }
}
