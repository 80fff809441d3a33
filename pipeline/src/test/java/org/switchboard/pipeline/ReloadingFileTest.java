package org.switchboard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadingFileTest {
    private static final Duration INTERVAL = Duration.ofSeconds(10);

    @TempDir
    Path directory;
    private Path file;
    private final AtomicLong clock = new AtomicLong(5_000_000_000L);
    private long modified = 1_700_000_000_000L;
    private RecordedLog log;

    @BeforeEach
    void setUp() throws IOException {
        file = directory.resolve("numbers.txt");
        write("1\n2\n");
        log = RecordedLog.of(ReloadingFile.class);
    }

    @AfterEach
    void tearDown() {
        log.close();
    }

    /** Each line a number: a line that is not one makes the file unusable. */
    private static List<Integer> parse(Path path) throws IOException {
        return Files.readAllLines(path, StandardCharsets.UTF_8).stream().map(Integer::valueOf).toList();
    }

    private ReloadingFile<List<Integer>> load() {
        return ReloadingFile.load("number list", file, ReloadingFileTest::parse, numbers -> numbers.size() + " numbers",
            clock::get, INTERVAL);
    }

    /** Writes the file with a modification time one second later than the last, as an editor would. */
    private void write(String content) throws IOException {
        Files.writeString(file, content, StandardCharsets.UTF_8);
        modified += 1000;
        Files.setLastModifiedTime(file, FileTime.fromMillis(modified));
    }

    private void tick() {
        clock.addAndGet(TimeUnit.SECONDS.toNanos(11));
    }

    @Test
    void readsAtLoadAndLogsWhatItRead() {
        ReloadingFile<List<Integer>> numbers = load();

        assertThat(numbers.current()).containsExactly(1, 2);
        assertThat(log.lines()).containsExactly(new RecordedLog.Line(Level.INFO,
            "number list " + file + " read: 2 numbers"));
    }

    @Test
    void anUnusableFileAtStartIsAnErrorNamingFileAndProblem() throws IOException {
        write("1\nthree\n");

        assertThatThrownBy(this::load)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("number list " + file + " is not usable: ")
            .hasMessageContaining("three");
    }

    @Test
    void aMissingFileAtStartIsAnError() throws IOException {
        Files.delete(file);

        assertThatThrownBy(this::load).hasMessageContaining("NoSuchFileException");
    }

    @Test
    void aChangeIsSeenOnlyAfterTheCheckInterval() throws IOException {
        ReloadingFile<List<Integer>> numbers = load();
        log.clear();
        write("1\n2\n3\n");

        assertThat(numbers.current()).containsExactly(1, 2);
        tick();
        assertThat(numbers.current()).containsExactly(1, 2, 3);
        assertThat(log.lines()).containsExactly(new RecordedLog.Line(Level.INFO,
            "number list " + file + " re-read: 3 numbers"));
    }

    @Test
    void aBadEditKeepsTheLastGoodContentWithOneErrorThenTheFixIsOneInfo() throws IOException {
        ReloadingFile<List<Integer>> numbers = load();
        log.clear();

        write("1\ntwo\n");
        for (int i = 0; i < 5; i++) {
            tick();
            assertThat(numbers.current()).containsExactly(1, 2);
        }
        assertThat(log.lines()).hasSize(1).first().satisfies(line -> {
            assertThat(line.level()).isEqualTo(Level.ERROR);
            assertThat(line.message()).startsWith("number list " + file
                + " changed but is not usable, the previous content stays in force until it is fixed: ")
                .contains("two");
        });

        log.clear();
        write("4\n");
        tick();
        assertThat(numbers.current()).containsExactly(4);
        tick();
        numbers.current();
        assertThat(log.lines()).containsExactly(new RecordedLog.Line(Level.INFO,
            "number list " + file + " re-read: 1 numbers"));
    }

    @Test
    void aSecondBadVersionIsReportedToo() throws IOException {
        ReloadingFile<List<Integer>> numbers = load();
        log.clear();

        write("x\n");
        tick();
        numbers.current();
        write("y\n");
        tick();
        numbers.current();

        assertThat(log.lines()).extracting(RecordedLog.Line::level).containsExactly(Level.ERROR, Level.ERROR);
        assertThat(numbers.current()).containsExactly(1, 2);
    }

    @Test
    void aFileThatDisappearsKeepsTheContentWithOneErrorAndItsReturnIsOneInfo() throws IOException {
        ReloadingFile<List<Integer>> numbers = load();
        log.clear();
        byte[] original = Files.readAllBytes(file);
        FileTime originalTime = Files.getLastModifiedTime(file);

        Files.delete(file);
        for (int i = 0; i < 3; i++) {
            tick();
            assertThat(numbers.current()).containsExactly(1, 2);
        }
        Files.write(file, original);
        Files.setLastModifiedTime(file, originalTime);
        tick();
        numbers.current();
        tick();
        numbers.current();

        assertThat(log.lines()).extracting(RecordedLog.Line::level).containsExactly(Level.ERROR, Level.INFO);
        assertThat(log.lines().get(0).message())
            .startsWith("number list " + file + " cannot be read, the previous content stays in force: ");
        assertThat(log.lines().get(1).message()).isEqualTo("number list " + file
            + " is readable again, unchanged: 2 numbers");
    }
}
