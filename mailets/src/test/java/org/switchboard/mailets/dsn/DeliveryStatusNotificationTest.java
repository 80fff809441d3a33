package org.switchboard.mailets.dsn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Properties;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.ContentType;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;
import org.apache.mailet.base.MailAddressFixture;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeliveryStatusNotificationTest {
    private FakeMailContext context;

    @BeforeEach
    void setUp() {
        context = FakeMailContext.builder().postmaster(MailAddressFixture.POSTMASTER_AT_JAMES).build();
    }

    private DeliveryStatusNotification mailet(String... parameters) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("dsn").mailetContext(context);
        for (int i = 0; i < parameters.length; i += 2) {
            config.setProperty(parameters[i], parameters[i + 1]);
        }
        DeliveryStatusNotification mailet = new DeliveryStatusNotification();
        mailet.init(config.build());
        return mailet;
    }

    private static MailImpl mail(String sender, DsnParameters dsn) throws Exception {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        message.setSubject("hello");
        message.setText("secret body");
        message.saveChanges();
        MailImpl mail = MailImpl.builder().name("m1")
            .sender(sender == null ? MaybeSender.nullSender() : MaybeSender.of(new MailAddress(sender)))
            .addRecipient("bob@example.com")
            .remoteHost("client.example")
            .mimeMessage(message)
            .build();
        if (dsn != null) {
            mail.setDsnParameters(dsn);
        }
        return mail;
    }

    private static DsnParameters dsn(DsnParameters.Ret ret) throws Exception {
        return DsnParameters.builder()
            .envId(DsnParameters.EnvId.of("QQ314159"))
            .ret(ret)
            .addRcptParameter(new MailAddress("bob@example.com"), DsnParameters.RecipientDsnParameters.of(
                EnumSet.of(DsnParameters.Notify.SUCCESS), new MailAddress("robert@example.com")))
            .build().orElseThrow();
    }

    private MimeMessage sentReport() throws Exception {
        assertThat(context.getSentMails()).hasSize(1);
        FakeMailContext.SentMail sent = context.getSentMails().get(0);
        assertThat(sent.getSender()).as("the null sender").isNull();
        assertThat(sent.getRecipients()).containsExactly(new MailAddress("alice@example.com"));
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        sent.getMsg().writeTo(raw);
        return new MimeMessage(Session.getInstance(new Properties()), new java.io.ByteArrayInputStream(raw.toByteArray()));
    }

    private static String part(MimeMessage report, int index) throws Exception {
        return new String(((MimeMultipart) report.getContent()).getBodyPart(index).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void deliveredReportCarriesEnvidOrcptAndTheHeaderForRetHdrs() throws Exception {
        MailImpl mail = mail("alice@example.com", dsn(DsnParameters.Ret.HDRS));
        mailet("action", "delivered", "reportingMta", "mx.example.com").service(mail);

        MimeMessage report = sentReport();
        ContentType type = new ContentType(report.getContentType());
        assertThat(type.getBaseType()).isEqualTo("multipart/report");
        assertThat(type.getParameter("report-type")).isEqualTo("delivery-status");
        MimeMultipart parts = (MimeMultipart) report.getContent();
        assertThat(parts.getCount()).isEqualTo(3);
        assertThat(parts.getBodyPart(1).getContentType()).isEqualTo("message/delivery-status");
        assertThat(part(report, 1))
            .contains("Original-Envelope-Id: QQ314159\r\n", "Reporting-MTA: dns; mx.example.com\r\n",
                "Received-From-MTA: dns; client.example\r\n", "Original-Recipient: rfc822; robert@example.com\r\n",
                "Final-Recipient: rfc822; bob@example.com\r\n", "Action: delivered\r\n", "Status: 2.0.0\r\n")
            .doesNotContain("Diagnostic-Code");
        assertThat(parts.getBodyPart(2).getContentType()).startsWith("text/rfc822-headers");
        assertThat(part(report, 2)).contains("Subject: hello").doesNotContain("secret body");
        assertThat(report.getHeader("Auto-Submitted")).containsExactly("auto-replied");
        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
    }

    @Test
    void retFullReturnsTheWholeMessage() throws Exception {
        mailet("action", "delivered").service(mail("alice@example.com", dsn(DsnParameters.Ret.FULL)));

        MimeMultipart parts = (MimeMultipart) sentReport().getContent();
        assertThat(parts.getBodyPart(2).getContentType()).startsWith("message/rfc822");
        ByteArrayOutputStream returned = new ByteArrayOutputStream();
        parts.getBodyPart(2).writeTo(returned);
        assertThat(returned.toString(StandardCharsets.UTF_8)).contains("secret body");
    }

    @Test
    void failedReportTakesStatusAndDiagnosticFromTheSmtpReply() throws Exception {
        MailImpl mail = mail("alice@example.com", null);
        mail.setErrorMessage("550 5.1.1 Requested action not taken: no such user here");
        mailet("action", "failed", "attachment", "none", "passThrough", "true").service(mail);

        MimeMessage report = sentReport();
        assertThat(((MimeMultipart) report.getContent()).getCount()).isEqualTo(2);
        assertThat(part(report, 1)).contains("Action: failed\r\n", "Status: 5.1.1\r\n",
            "Diagnostic-Code: smtp; 550 5.1.1 Requested action not taken: no such user here\r\n", "Last-Attempt-Date: ")
            .doesNotContain("Original-Recipient");
        assertThat(mail.getState()).as("passThrough").isNotEqualTo(Mail.GHOST);
    }

    @Test
    void aReplyOfAnotherClassDoesNotChangeTheStatus() throws Exception {
        MailImpl mail = mail("alice@example.com", null);
        mail.setErrorMessage("550 5.1.1 no such user");
        mailet("action", "delivered").service(mail);

        assertThat(part(sentReport(), 1)).contains("Status: 2.0.0\r\n");
    }

    @Test
    void theNullSenderGetsNoNotice() throws Exception {
        MailImpl mail = mail(null, null);
        mailet("action", "failed").service(mail);

        assertThat(context.getSentMails()).isEmpty();
        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
    }

    @Test
    void parametersAreChecked() {
        assertThatThrownBy(() -> mailet()).hasMessageContaining("dsn").hasMessageContaining("action");
        assertThatThrownBy(() -> mailet("action", "exploded")).hasMessageContaining("action").hasMessageContaining("delivered");
        assertThatThrownBy(() -> mailet("action", "failed", "status", "5.1")).hasMessageContaining("status");
        assertThatThrownBy(() -> mailet("action", "failed", "attachment", "body")).hasMessageContaining("attachment");
        assertThatThrownBy(() -> mailet("action", "failed", "notify", "x")).hasMessageContaining("notify");
    }
}
