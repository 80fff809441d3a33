package org.switchboard.mailets.lists;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

class ArchiveOrderTest {
    private static ArchivedMessage message(String minute, String from, String subject, String id,
                                           String... references) {
        return new ArchivedMessage(Instant.parse("2026-12-07T09:" + minute + ":00Z"), from, subject, id,
            List.of(references));
    }

    private static final ArchivedMessage PLAN = message("00", "zed@example.com", "Plan", "<plan@x>");
    private static final ArchivedMessage OTHER = message("10", "amy@example.com", "Other", "<other@x>");
    private static final ArchivedMessage LATE_ANSWER = message("40", "amy@example.com", "Re: Plan", "<re3@x>",
        "<plan@x>");
    private static final ArchivedMessage ANSWER = message("20", "bob@example.com", "Re: Plan", "<re1@x>", "<plan@x>");
    private static final ArchivedMessage ANSWER_TO_ANSWER = message("30", "amy@example.com", "Re: Re: Plan",
        "<re2@x>", "<plan@x>", "<re1@x>");
    private static final ArchivedMessage ORPHAN = message("05", "bob@example.com", "Re: lost", "<orphan@x>",
        "<not-archived@x>");
    private static final List<ArchivedMessage> ARCHIVE = List.of(LATE_ANSWER, ANSWER_TO_ANSWER, OTHER, ORPHAN, ANSWER,
        PLAN);

    private static List<String> lines(ArchiveOrder order, List<ArchivedMessage> messages) {
        return order.sort(messages).stream().map(line -> "  ".repeat(line.depth()) + line.message().messageId())
            .toList();
    }

    @Test
    void byDate() {
        assertThat(lines(ArchiveOrder.DATE, ARCHIVE)).containsExactly("<plan@x>", "<orphan@x>", "<other@x>",
            "<re1@x>", "<re2@x>", "<re3@x>");
    }

    @Test
    void byThreadEachAnswerBelowTheNearestArchivedParentAnswersByDate() {
        assertThat(lines(ArchiveOrder.THREAD, ARCHIVE)).containsExactly(
            "<plan@x>",
            "  <re1@x>",
            "    <re2@x>",
            "  <re3@x>",
            "<orphan@x>",
            "<other@x>");
    }

    @Test
    void byAuthorThenDate() {
        assertThat(lines(ArchiveOrder.AUTHOR, ARCHIVE)).containsExactly("<other@x>", "<re2@x>", "<re3@x>",
            "<orphan@x>", "<re1@x>", "<plan@x>");
    }

    @Test
    void messagesThatAnswerEachOtherAreStillListedOnce() {
        ArchivedMessage first = message("00", "a@x", "one", "<one@x>", "<two@x>");
        ArchivedMessage second = message("01", "b@x", "two", "<two@x>", "<one@x>");

        assertThat(lines(ArchiveOrder.THREAD, List.of(second, first))).containsExactly("<one@x>", "  <two@x>");
    }

    @Test
    void orderNamesAreCaseInsensitiveAndAWrongOneIsNamed() {
        assertThat(ArchiveOrder.named("Thread")).isEqualTo(ArchiveOrder.THREAD);
        assertThatThrownBy(() -> ArchiveOrder.named("size")).hasMessageContaining("'size' is not an archive order")
            .hasMessageContaining("date");
    }
}
