package org.switchboard.mailets.preprocessor.tnef;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.switchboard.mailets.preprocessor.tnef.TnefMessages.expected;
import static org.switchboard.mailets.preprocessor.tnef.TnefMessages.resource;
import static org.switchboard.mailets.preprocessor.tnef.TnefMessages.sha256;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.switchboard.mailets.preprocessor.tnef.TnefDecoder.Contents;
import org.switchboard.mailets.preprocessor.tnef.TnefDecoder.OverLimitException;
import org.switchboard.mailets.preprocessor.tnef.TnefFraming.InvalidTnefException;
import org.switchboard.mailets.preprocessor.tnef.TnefMessages.Expected;

/**
 * Every stream of the shared TNEF test data (copied to src/test/resources/tnef, provenance in its README), decoded
 * with POI HMEF, against what Debian's {@code tnef -K} extracts ({@code expected-attachments.tsv}).
 */
class TnefDecoderTest {
    private static final long NO_LIMIT = Long.MAX_VALUE;

    /** The streams Debian's tnef reads, each with the attachments it extracts (possibly none). */
    static Stream<String> readableStreams() {
        return Stream.of("body.tnef", "data-before-name.tnef", "garbage-at-end.tnef", "ktnef-umlaut-filename.tnef",
            "long-filename.tnef", "one-file.tnef", "poi-quick-winmail.dat", "two-files.tnef");
    }

    @ParameterizedTest
    @MethodSource("readableStreams")
    void extractsTheSameFilesAsDebianTnef(String file) throws Exception {
        Contents contents = TnefDecoder.decode(resource(file), false, NO_LIMIT);

        List<Expected> expected = expected().stream().filter(row -> row.file().equals(file)).toList();
        Map<String, String> wanted = new LinkedHashMap<>();
        expected.forEach(row -> wanted.put(row.name(), row.size() + " " + row.sha256()));
        Map<String, String> got = new LinkedHashMap<>();
        contents.files().forEach(f -> got.put(f.name(), f.content().length + " " + sha256(f.content())));
        assertThat(got).as("%s: name -> size sha256 (notes %s)", file, contents.notes()).containsExactlyEntriesOf(wanted);
        expected.stream().filter(row -> !row.nameHex().isEmpty()).forEach(row ->
            assertThat(HexFormat.of().formatHex(row.name().getBytes(StandardCharsets.ISO_8859_1)))
                .as("the TSV's name bytes are the Latin-1 encoding of the name we extract").isEqualTo(row.nameHex()));
    }

    @Test
    void theUmlautFileNameIsDecodedFromTheStreamsCodePage() throws Exception {
        Contents contents = TnefDecoder.decode(resource("ktnef-umlaut-filename.tnef"), false, NO_LIMIT);
        assertThat(contents.files()).extracting(ExtractedFile::name).containsExactly("d\u00f6cument.pdf");
        assertThat(contents.files()).extracting(ExtractedFile::contentType).containsExactly("application/pdf");
    }

    @Test
    void contentTypesComeFromTheNames() throws Exception {
        Contents contents = TnefDecoder.decode(resource("poi-quick-winmail.dat"), false, NO_LIMIT);
        Map<String, String> types = new LinkedHashMap<>();
        contents.files().forEach(f -> types.put(f.name(), f.contentType()));
        assertThat(types).containsExactly(
            Map.entry("quick.doc", "application/msword"),
            Map.entry("quick.html", "text/html"),
            Map.entry("quick.pdf", "application/pdf"),
            Map.entry("quick.txt", "text/plain"),
            Map.entry("quick.xml", "text/xml"));
    }

    @Test
    void theHtmlBodyIsExtractedOnRequestAsTnefSaveBodyWritesIt() throws Exception {
        Contents without = TnefDecoder.decode(resource("body.tnef"), false, NO_LIMIT);
        assertThat(without.files()).isEmpty();
        assertThat(without.body()).isEmpty();

        Contents with = TnefDecoder.decode(resource("body.tnef"), true, NO_LIMIT);
        assertThat(with.files()).isEmpty();
        assertThat(with.body()).hasValueSatisfying(body -> {
            assertThat(body.name()).isEqualTo("message.html");
            assertThat(body.contentType()).startsWith("text/html");
            // tnef --save-body --body-pref=H writes the same 5358 bytes
            assertThat(body.content()).hasSize(5358);
            assertThat(new String(body.content(), StandardCharsets.US_ASCII)).startsWith("<!DOCTYPE HTML")
                .contains("THE BILL OF RIGHTS");
        });
    }

    @Test
    void aWrongSignatureIsInvalid() {
        assertThatThrownBy(() -> TnefDecoder.decode(resource("teamwork-badchecksum.tnef"), false, NO_LIMIT))
            .isInstanceOf(InvalidTnefException.class).hasMessageContaining("signature 0x323E9F78");
    }

    @Test
    void trailingLineEndsAreNotGarbage() throws Exception {
        Contents contents = TnefDecoder.decode(resource("garbage-at-end.tnef"), true, NO_LIMIT);
        assertThat(contents.frame().trailingBytes()).isEqualTo(1);
        assertThat(contents.frame().trailingGarbage()).isFalse();
        assertThat(contents.files()).isEmpty();
    }

    @Test
    void realGarbageAfterTheLastAttributeIsIgnored() throws Exception {
        byte[] stream = resource("two-files.tnef");
        byte[] withJunk = Arrays.copyOf(stream, stream.length + 7);
        System.arraycopy("JUNK!\u00ff\u0007".getBytes(StandardCharsets.ISO_8859_1), 0, withJunk, stream.length, 7);
        Contents contents = TnefDecoder.decode(withJunk, false, NO_LIMIT);
        assertThat(contents.files()).extracting(ExtractedFile::name).containsExactly("AUTHORS", "README");
        assertThat(contents.notes()).anySatisfy(note -> assertThat(note).contains("7 byte(s) of garbage"));
    }

    @Test
    void everyTruncationOfAStreamIsInvalidOrACleanPrefix() throws Exception {
        byte[] stream = resource("two-files.tnef");
        for (int length = 0; length < stream.length; length++) {
            byte[] cut = Arrays.copyOf(stream, length);
            try {
                Contents contents = TnefDecoder.decode(cut, false, NO_LIMIT);
                // a cut exactly between two attributes is a shorter, valid stream
                assertThat(contents.frame().validLength()).isEqualTo(length);
            } catch (InvalidTnefException expected) {
                // fine
            }
        }
        assertThatThrownBy(() -> TnefDecoder.decode(Arrays.copyOf(stream, stream.length - 1), false, NO_LIMIT))
            .isInstanceOf(InvalidTnefException.class).hasMessageContaining("truncated");
    }

    @Test
    void randomBytesAreInvalid() {
        Random random = new Random(4);
        for (int i = 0; i < 200; i++) {
            byte[] noise = new byte[random.nextInt(5000)];
            random.nextBytes(noise);
            assertThatThrownBy(() -> TnefDecoder.decode(noise, true, NO_LIMIT)).isInstanceOf(InvalidTnefException.class);
        }
    }

    @Test
    void randomBytesAfterAValidSignatureNeverEscapeAsAnotherException() {
        Random random = new Random(5);
        byte[] stream = resource("poi-quick-winmail.dat");
        for (int i = 0; i < 300; i++) {
            byte[] damaged = stream.clone();
            for (int j = 0; j < 1 + random.nextInt(20); j++) {
                damaged[6 + random.nextInt(damaged.length - 6)] = (byte) random.nextInt(256);
            }
            try {
                TnefDecoder.decode(damaged, true, NO_LIMIT);
            } catch (InvalidTnefException | OverLimitException expected) {
                // a clear outcome
            }
        }
    }

    @Test
    void aStreamWhoseFilesExceedTheBudgetIsRefusedWhole() throws Exception {
        byte[] stream = resource("poi-quick-winmail.dat");
        long total = 19968 + 428 + 18638 + 235 + 143;
        assertThat(TnefDecoder.decode(stream, false, total).files()).hasSize(5);
        assertThatThrownBy(() -> TnefDecoder.decode(stream, false, total - 1))
            .isInstanceOf(OverLimitException.class).hasMessageContaining(total + " bytes");
    }

    @Test
    void checksumErrorsAreToleratedAndNoted() throws Exception {
        byte[] stream = resource("one-file.tnef");
        TnefFraming.Frame frame = TnefFraming.check(stream);
        TnefFraming.Span last = frame.spans().get(frame.spans().size() - 1);
        byte[] damaged = stream.clone();
        damaged[last.end() - 1] ^= 0x55;
        Contents contents = TnefDecoder.decode(damaged, false, NO_LIMIT);
        assertThat(contents.files()).extracting(ExtractedFile::name).containsExactly("AUTHORS");
        assertThat(contents.notes()).anySatisfy(note -> assertThat(note).contains("wrong checksum"));
    }
}
