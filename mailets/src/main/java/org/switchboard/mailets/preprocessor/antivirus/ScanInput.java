package org.switchboard.mailets.preprocessor.antivirus;

import java.io.IOException;
import java.io.InputStream;

/**
 * What the scanner reads: a part of the mail, cut at the size limit. A read error of the source (bad base64, a
 * truncated uuencoded file, an unreadable spool file) ends the stream instead of reaching the scanner, where it would
 * look like a broken connection to clamd; the caller finds it in {@link #failure()}. Reading past the limit ends the
 * stream too and sets {@link #truncated()}: what was read is still scanned.
 */
final class ScanInput extends InputStream {
    private static final int NONE = -2;

    private final InputStream source;
    private final long limit;
    private long count;
    private int pending = NONE;
    private boolean ended;
    private boolean truncated;
    private Exception failure;

    ScanInput(InputStream source, long limit) {
        this.source = source;
        this.limit = limit;
    }

    /** Reads ahead one byte: true when there is nothing to scan. */
    boolean isEmpty() {
        if (pending == NONE && !ended) {
            pending = readSource();
            if (pending < 0) {
                ended = true;
            }
        }
        return ended && pending < 0 && count == 0;
    }

    boolean truncated() {
        return truncated;
    }

    /** The source's read error, or null. */
    Exception failure() {
        return failure;
    }

    long count() {
        return count;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
        if (length == 0) {
            return 0;
        }
        if (pending >= 0) {
            if (count >= limit) {
                truncated = true;
                ended = true;
                pending = NONE;
                return -1;
            }
            buffer[offset] = (byte) pending;
            pending = NONE;
            count++;
            return 1;
        }
        if (ended) {
            return -1;
        }
        if (count >= limit) {
            // one byte more than the limit tells a part of exactly the limit from a bigger one
            if (readSource() >= 0) {
                truncated = true;
            }
            ended = true;
            return -1;
        }
        int wanted = (int) Math.min(length, limit - count);
        int n;
        try {
            n = source.read(buffer, offset, wanted);
        } catch (IOException | RuntimeException e) {
            failure = e;
            ended = true;
            return -1;
        }
        if (n < 0) {
            ended = true;
            return -1;
        }
        count += n;
        return n;
    }

    private int readSource() {
        try {
            return source.read();
        } catch (IOException | RuntimeException e) {
            failure = e;
            return -1;
        }
    }

    @Override
    public void close() {
        try {
            source.close();
        } catch (IOException | RuntimeException e) {
            // nothing left to read from it
        }
    }
}
