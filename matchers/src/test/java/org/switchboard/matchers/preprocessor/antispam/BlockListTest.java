package org.switchboard.matchers.preprocessor.antispam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BlockListTest {

    private static BlockList list(String... lines) throws BlockList.SyntaxException {
        return BlockList.parseLines(List.of(lines), "test.txt");
    }

    private static Optional<String> blocked(BlockList list, String header, String address) {
        return list.find(header, address).map(hit -> hit.entry().text());
    }

    @Test
    void exactAddress() throws Exception {
        BlockList list = list("Spammer@Spam.Example");

        assertThat(blocked(list, "From", "spammer@spam.example")).contains("Spammer@Spam.Example");
        assertThat(blocked(list, "From", "other@spam.example")).isEmpty();
        assertThat(blocked(list, "From", "spammer@spam.example.org")).isEmpty();
    }

    @Test
    void addressInAngleBrackets() throws Exception {
        assertThat(blocked(list("<spammer@spam.example>"), "Sender", "spammer@spam.example")).isPresent();
    }

    @Test
    void domainAndAtDomainAreTheWholeDomainButNotItsSubdomains() throws Exception {
        for (String entry : List.of("spam.example", "@spam.example")) {
            BlockList list = list(entry);
            assertThat(blocked(list, "From", "anyone@spam.example")).as(entry).isPresent();
            assertThat(blocked(list, "From", "anyone@mx.spam.example")).as(entry).isEmpty();
            assertThat(blocked(list, "From", "anyone@notspam.example")).as(entry).isEmpty();
        }
    }

    @Test
    void domainGlob() throws Exception {
        BlockList list = list("*.spam.example");

        assertThat(blocked(list, "From", "a@mx.spam.example")).isPresent();
        assertThat(blocked(list, "From", "a@x.y.spam.example")).isPresent();
        assertThat(blocked(list, "From", "a@spam.example")).isEmpty();
    }

    @Test
    void addressGlobs() throws Exception {
        BlockList list = list("*@spam.example", "news-??@*.example.net");

        assertThat(blocked(list, "From", "anyone@spam.example")).contains("*@spam.example");
        assertThat(blocked(list, "From", "anyone@a.spam.example")).isEmpty();
        assertThat(blocked(list, "From", "news-42@mail.example.net")).contains("news-??@*.example.net");
        assertThat(blocked(list, "From", "news-420@mail.example.net")).isEmpty();
    }

    @Test
    void globCharactersOtherThanStarAndQuestionMarkAreLiteral() throws Exception {
        BlockList list = list("a.b+c*@x.example");

        assertThat(blocked(list, "From", "a.b+cde@x.example")).isPresent();
        assertThat(blocked(list, "From", "aXb+cde@x.example")).isEmpty();
    }

    @Test
    void regularExpressionIsFoundAnywhereCaseInsensitive() throws Exception {
        BlockList list = list("/^[0-9]{6,}@/", "/SPAM\\.example$/");

        assertThat(blocked(list, "From", "123456@example.org")).contains("/^[0-9]{6,}@/");
        assertThat(blocked(list, "From", "12345@example.org")).isEmpty();
        assertThat(blocked(list, "From", "x@spam.example")).contains("/SPAM\\.example$/");
    }

    @Test
    void headerPrefixRestrictsTheEntryToThatHeader() throws Exception {
        BlockList list = list("reply-to: *@spam.example", "RETURN-PATH: /^bounce-/");

        assertThat(blocked(list, "Reply-To", "a@spam.example")).isPresent();
        assertThat(blocked(list, "From", "a@spam.example")).isEmpty();
        assertThat(blocked(list, "Return-Path", "bounce-1@x.example")).isPresent();
        assertThat(blocked(list, "Sender", "bounce-1@x.example")).isEmpty();
        assertThat(list.entries()).extracting(BlockList.Entry::header).containsExactly("Reply-To", "Return-Path");
    }

    @Test
    void commentsBlankLinesAndAByteOrderMarkAreIgnored() throws Exception {
        BlockList list = list("\uFEFF# block list", "", "   ", "  # indented comment", "  spam.example  ");

        assertThat(list.size()).isEqualTo(1);
        assertThat(list.entries().get(0).where()).isEqualTo("test.txt line 5");
    }

    @Test
    void theHitSaysWhy() throws Exception {
        BlockList.Hit hit = list("*@spam.example").find("Reply-To", "x@spam.example").orElseThrow();

        assertThat(hit.reason()).isEqualTo("Reply-To address x@spam.example matches block list entry '*@spam.example'");
        assertThat(hit.entry().where()).isEqualTo("test.txt line 1");
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "To: a@spam.example | 'To:' is not a checked header; the headers are From, Sender, Reply-To, Resent-From, Return-Path",
        "From: | has no address, domain or pattern",
        "a@b c@d | contains a space",
        "a@ | has no domain after '@'",
        "@ | is not a domain",
        ".spam.example | is not a domain",
        "spam.example. | is not a domain",
        "a@b@c.example | has more than one '@'",
        "a,b@c.example | contains one of < > , ; : ( ) \" \\",
        "\"quoted\"@c.example | contains one of",
        "/[unclosed@/ | is not a valid regular expression: Unclosed character class",
        "/no-end | a regular expression is written between slashes",
        "// | a regular expression is written between slashes",
        "spam.example:25 | contains one of",
    })
    void badEntriesNameTheLineAndTheProblem(String entry, String problem) {
        assertThatThrownBy(() -> list("# first", entry))
            .isInstanceOf(BlockList.SyntaxException.class)
            .hasMessageStartingWith("test.txt line 2: '" + entry.strip() + "'")
            .hasMessageContaining(problem);
    }
}
