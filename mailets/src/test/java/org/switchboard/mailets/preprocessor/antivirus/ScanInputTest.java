package org.switchboard.mailets.preprocessor.antivirus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

class ScanInputTest {
    private static InputStream bytes(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void passesEverythingUpToTheLimit() throws IOException {
        ScanInput input = new ScanInput(bytes("abcdef"), 6);

        assertThat(input.isEmpty()).isFalse();
        assertThat(new String(input.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("abcdef");
        assertThat(input.truncated()).isFalse();
        assertThat(input.failure()).isNull();
        assertThat(input.count()).isEqualTo(6);
    }

    @Test
    void cutsAtTheLimitAndSaysSo() throws IOException {
        ScanInput input = new ScanInput(bytes("abcdefg"), 6);

        assertThat(new String(input.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("abcdef");
        assertThat(input.truncated()).isTrue();
    }

    @Test
    void singleByteReadsToo() throws IOException {
        ScanInput input = new ScanInput(bytes("abc"), 2);

        assertThat(input.read()).isEqualTo('a');
        assertThat(input.read()).isEqualTo('b');
        assertThat(input.read()).isEqualTo(-1);
        assertThat(input.truncated()).isTrue();
    }

    @Test
    void emptySource() {
        ScanInput input = new ScanInput(bytes(""), 10);

        assertThat(input.isEmpty()).isTrue();
        assertThat(input.read(new byte[4], 0, 4)).isEqualTo(-1);
    }

    @Test
    void aReadErrorEndsTheStreamAndIsKept() throws IOException {
        InputStream failing = new SequenceInputStream(bytes("abc"), new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("BASE64Decoder: Error in encoded stream");
            }
        });
        ScanInput input = new ScanInput(failing, 100);

        assertThat(new String(input.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("abc");
        assertThat(input.failure()).hasMessageContaining("BASE64Decoder");
        assertThat(input.truncated()).isFalse();
    }

    @Test
    void uuencodedStartsAreFoundAtLineStarts() throws IOException {
        String text = "hello\r\nbegin 644 a.com\r\nM...\r\nend\r\n  begin 644 not-at-start\r\nbegin 0755 b.exe\nend\n"
            + "begin here is prose\r\nbegin 644 last.txt";

        List<Long> starts = MessageScanner.uuencodedStarts(bytes(text), 10_000);

        assertThat(starts).containsExactly((long) text.indexOf("begin 644 a.com"), (long) text.indexOf("begin 0755"),
            (long) text.indexOf("begin 644 last.txt"));
    }
}
