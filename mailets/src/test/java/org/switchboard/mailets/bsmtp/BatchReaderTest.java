package org.switchboard.mailets.bsmtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.switchboard.mailets.bsmtp.BatchReader.Outcome;
import org.switchboard.mailets.bsmtp.BatchReader.Rejection;
import org.switchboard.mailets.bsmtp.BatchReader.Transaction;

class BatchReaderTest {
    private static final RecipientDomains ALLOWED = RecipientDomains.parse("smallcorp.test, .branch.test");

    static List<Outcome> read(String batch) throws IOException {
        return read(batch.getBytes(StandardCharsets.UTF_8));
    }

    private static final List<Outcome> READ = new ArrayList<>();

    static List<Outcome> read(byte[] batch) throws IOException {
        List<Outcome> outcomes = BatchReader.read(new ByteArrayInputStream(batch), ALLOWED, "test");
        READ.addAll(outcomes);
        return outcomes;
    }

    @AfterEach
    void disposeContents() {
        BatchReader.dispose(READ);
        READ.clear();
    }

    static byte[] content(Outcome outcome) throws IOException {
        try (InputStream in = ((Transaction) outcome).content().getInputStream()) {
            return in.readAllBytes();
        }
    }

    static String text(Outcome outcome) throws IOException {
        return new String(content(outcome), StandardCharsets.UTF_8);
    }

    @Test
    void readsTransactionsWithTheirEnvelopeAndUnstuffedContent() throws Exception {
        List<Outcome> outcomes = read("HELO encoder.example\r\n"
            + "MAIL FROM:<alice@example.com> BODY=8BITMIME\r\n"
            + "RCPT TO:<bob@smallcorp.test>\r\n"
            + "RCPT TO:<carol@x.branch.test> NOTIFY=NEVER\r\n"
            + "DATA\r\n"
            + "Subject: dots\r\n\r\n..\r\n...two\r\n..one\r\nend\r\n.\r\n"
            + "MAIL FROM:<>\r\n"
            + "RCPT TO:<bob@smallcorp.test>\r\n"
            + "DATA\r\n"
            + "Subject: bounce\r\n\r\nbody\r\n.\r\n"
            + "QUIT\r\n");

        assertThat(outcomes).hasSize(2);
        Transaction first = (Transaction) outcomes.get(0);
        assertThat(first.envelope().sender()).isEqualTo(MaybeSender.of(new MailAddress("alice@example.com")));
        assertThat(first.envelope().recipients())
            .containsExactly(new MailAddress("bob@smallcorp.test"), new MailAddress("carol@x.branch.test"));
        assertThat(text(first)).isEqualTo("Subject: dots\r\n\r\n.\r\n..two\r\n.one\r\nend\r\n");
        Transaction second = (Transaction) outcomes.get(1);
        assertThat(second.envelope().sender().isNullSender()).isTrue();
        assertThat(text(second)).isEqualTo("Subject: bounce\r\n\r\nbody\r\n");
    }

    @Test
    void bareLineFeedsBecomeCrlfAndBareCarriageReturnsStay() throws Exception {
        List<Outcome> outcomes = read("MAIL FROM:<a@example.com>\nRCPT TO:<b@smallcorp.test>\nDATA\n"
            + "Subject: lf\n\nx\ry\n..z\n.\nQUIT\n");

        assertThat(outcomes).hasSize(1);
        assertThat(text(outcomes.get(0))).isEqualTo("Subject: lf\r\n\r\nx\ry\r\n.z\r\n");
    }

    @Test
    void eightBitOctetsArePreserved() throws Exception {
        byte[] body = {'S', ':', ' ', (byte) 0xE9, '\r', '\n', '\r', '\n', (byte) 0xFF, (byte) 0x80, 0, 'x', '\r', '\n'};
        byte[] head = "MAIL FROM:<a@example.com>\r\nRCPT TO:<b@smallcorp.test>\r\nDATA\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = ".\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] batch = new byte[head.length + body.length + tail.length];
        System.arraycopy(head, 0, batch, 0, head.length);
        System.arraycopy(body, 0, batch, head.length, body.length);
        System.arraycopy(tail, 0, batch, head.length + body.length, tail.length);

        assertThat(content(read(batch).get(0))).isEqualTo(body);
    }

    @Test
    void aLineWithASingleLeadingDotRejectsItsTransactionOnly() throws Exception {
        List<Outcome> outcomes = read("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@smallcorp.test>\r\nDATA\r\n"
            + "Subject: x\r\n\r\n.not stuffed\r\n.\r\n"
            + "MAIL FROM:<a@example.com>\r\nRCPT TO:<c@smallcorp.test>\r\nDATA\r\nSubject: y\r\n\r\nfine\r\n.\r\n");

        assertThat(outcomes).hasSize(2);
        Rejection rejection = (Rejection) outcomes.get(0);
        assertThat(rejection.number()).isEqualTo(1);
        assertThat(rejection.reason()).contains("not dot-stuffed");
        assertThat(rejection.recipients()).containsExactly("b@smallcorp.test");
        assertThat(((Transaction) outcomes.get(1)).envelope().recipients()).containsExactly(new MailAddress("c@smallcorp.test"));
    }

    @Test
    void missingDataIsRejected() throws Exception {
        List<Outcome> outcomes = read("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@smallcorp.test>\r\n"
            + "MAIL FROM:<a@example.com>\r\nRCPT TO:<c@smallcorp.test>\r\nQUIT\r\n");

        assertThat(outcomes).extracting(outcome -> ((Rejection) outcome).reason())
            .containsExactly("no DATA before the next MAIL FROM (line 3)", "QUIT before DATA (line 5)");
    }

    @Test
    void aBatchEndingInsideDataIsRejected() throws Exception {
        List<Outcome> outcomes = read("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@smallcorp.test>\r\nDATA\r\nSubject: cut\r\n");

        assertThat(outcomes).singleElement().isInstanceOf(Rejection.class);
        assertThat(((Rejection) outcomes.get(0)).reason()).contains("ends inside DATA");
    }

    @Test
    void malformedCommandsRejectTheirTransactionAndItsDataIsSkipped() throws Exception {
        List<Outcome> outcomes = read("MAIL FROM:alice@example.com\r\nRCPT TO:<b@smallcorp.test>\r\nDATA\r\n"
            + "MAIL FROM:<looks@like.a.command>\r\n.\r\n"
            + "MAIL FROM:<a@example.com>\r\nRCPT TO:<b@smallcorp.test>\r\nXYZZY\r\nDATA\r\nbody\r\n.\r\n"
            + "DATA\r\nstray\r\n.\r\n"
            + "MAIL FROM:<a@example.com>\r\nRCPT TO:<not an address>\r\nDATA\r\nbody\r\n.\r\n");

        assertThat(outcomes).hasSize(4).allMatch(Rejection.class::isInstance);
        assertThat(outcomes).extracting(outcome -> ((Rejection) outcome).reason()).satisfiesExactly(
            reason -> assertThat(reason).startsWith("malformed command 'MAIL FROM:alice@example.com'"),
            reason -> assertThat(reason).startsWith("unknown command 'XYZZY'"),
            reason -> assertThat(reason).startsWith("DATA without MAIL FROM"),
            reason -> assertThat(reason).startsWith("RCPT TO:<not an address> is not a mail address"));
    }

    @Test
    void recipientsOutsideTheAllowedDomainsRejectTheWholeTransaction() throws Exception {
        List<Outcome> outcomes = read("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@smallcorp.test>\r\n"
            + "RCPT TO:<victim@elsewhere.test>\r\nRCPT TO:<c@branch.test>\r\nDATA\r\nbody\r\n.\r\n");

        Rejection rejection = (Rejection) outcomes.get(0);
        assertThat(rejection.reason()).startsWith("recipient victim@elsewhere.test is outside the allowed domains");
        assertThat(rejection.recipients()).containsExactly("b@smallcorp.test", "victim@elsewhere.test", "c@branch.test");
        assertThat(outcomes).hasSize(1);
    }

    @Test
    void rsetAbandonsTheTransactionVisibly() throws Exception {
        List<Outcome> outcomes = read("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@smallcorp.test>\r\nRSET\r\n"
            + "MAIL FROM:<a@example.com>\r\nRCPT TO:<c@smallcorp.test>\r\nDATA\r\nbody\r\n.\r\nQUIT\r\nleftover\r\n");

        assertThat(outcomes).hasSize(3);
        assertThat(((Rejection) outcomes.get(0)).reason()).startsWith("abandoned by RSET");
        assertThat(outcomes.get(1)).isInstanceOf(Transaction.class);
        assertThat(((Rejection) outcomes.get(2)).reason()).startsWith("text after QUIT");
    }

    @Test
    void anOverlongCommandLineIsRefused() throws Exception {
        String longAddress = "x".repeat(BatchReader.MAX_COMMAND_LINE) + "@smallcorp.test";
        List<Outcome> outcomes = read("MAIL FROM:<a@example.com>\r\nRCPT TO:<" + longAddress + ">\r\nDATA\r\nbody\r\n.\r\n");

        assertThat(((Rejection) outcomes.get(0)).reason()).startsWith("command line longer than 1000 octets");
    }

    @Test
    void manyRecipients() throws Exception {
        StringBuilder batch = new StringBuilder("MAIL FROM:<a@example.com>\r\n");
        for (int i = 0; i < 2000; i++) {
            batch.append("RCPT TO:<user").append(i).append("@smallcorp.test>\r\n");
        }
        batch.append("DATA\r\nSubject: many\r\n\r\nbody\r\n.\r\n");

        Transaction transaction = (Transaction) read(batch.toString()).get(0);
        assertThat(transaction.envelope().recipients()).hasSize(2000)
            .contains(new MailAddress("user0@smallcorp.test"), new MailAddress("user1999@smallcorp.test"));
    }
}
