package org.switchboard.mailets.bsmtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DotStuffingOutputStreamTest {

    private static String stuffed(String data, boolean byteByByte) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DotStuffingOutputStream stuffing = new DotStuffingOutputStream(out);
        byte[] bytes = data.getBytes(StandardCharsets.ISO_8859_1);
        if (byteByByte) {
            for (byte b : bytes) {
                stuffing.write(b);
            }
        } else {
            stuffing.write(bytes, 0, bytes.length);
        }
        stuffing.finish();
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // data (\n, \r written as escapes)           | stuffed
        "a\\r\\nb\\r\\n                                 | a\\r\\nb\\r\\n.\\r\\n",
        ".\\r\\n                                        | ..\\r\\n.\\r\\n",
        "x\\n.y\\n..z\\n                                | x\\r\\n..y\\r\\n...z\\r\\n.\\r\\n",
        "no end                                         | no end\\r\\n.\\r\\n",
        "cr\\rinside\\r\\n                              | cr\\rinside\\r\\n.\\r\\n",
        "ends with cr\\r                                 | ends with cr\\r\\n.\\r\\n",
        "a.b\\r\\n.\\n.                                  | a.b\\r\\n..\\r\\n..\\r\\n.\\r\\n",
        "''                                              | .\\r\\n"})
    void stuffsDotsAndEndsLinesWithCrlf(String data, String expected) throws IOException {
        String input = unescape(data.equals("''") ? "" : data);
        assertThat(stuffed(input, false)).isEqualTo(unescape(expected));
        assertThat(stuffed(input, true)).isEqualTo(unescape(expected));
    }

    private static String unescape(String text) {
        return text.replace("\\r", "\r").replace("\\n", "\n");
    }
}
