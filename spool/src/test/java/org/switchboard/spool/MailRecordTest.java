package org.switchboard.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.MimeMessageSource;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.junit.jupiter.api.Test;

/** A mail encoded as a spool record and decoded again. */
class MailRecordTest {
    /** Bare LF line ends: writing the message through its parsed headers would turn theirs into CRLF. */
    private static final String RECEIVED = "Subject: as received\nX-Folded: one\n two\n\nbody line\n.dot\n";

    private static MailImpl mail(List<Attribute> attributes) throws Exception {
        MailImpl mail = MailImpl.builder().name("m1").sender("sender@example.com").addRecipients("a@example.net")
            .addAttributes(attributes).build();
        mail.setMessageContent(new BytesSource(RECEIVED.getBytes(StandardCharsets.US_ASCII)));
        return mail;
    }

    private static String octets(Mail mail) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        mail.getMessage().writeTo(out);
        return out.toString(StandardCharsets.US_ASCII);
    }

    @Test
    void anUnchangedMessageIsStoredAsTheOctetsOfItsSource() throws Exception {
        MailImpl mail = mail(List.of());
        mail.getMessage().getHeader("Subject"); // headers read (as SMTP reception does) but not changed

        MailRecord.Encoded encoded = MailRecord.encode(mail, 0, 5);

        assertThat(new String(encoded.bytes(), encoded.messageOffset(), encoded.messageLength(), StandardCharsets.US_ASCII))
            .isEqualTo(RECEIVED);
    }

    @Test
    void aChangedMessageIsStoredWithItsChange() throws Exception {
        MailImpl mail = mail(List.of());
        mail.getMessage().setHeader("X-Added", "yes");

        MailImpl decoded = MailRecord.decode(MailRecord.encode(mail, 0, 5).bytes(), "record");

        assertThat(decoded.getMessage().getHeader("X-Added")).containsExactly("yes");
        assertThat(decoded.getMessage().getSubject()).isEqualTo("as received");
        assertThat(octets(decoded)).contains("body line");
    }

    @Test
    void everyAttributeWithAJsonFormComesBackWithItsValueAndTheOthersAreDropped() throws Exception {
        Attribute text = new Attribute(AttributeName.of("text"), AttributeValue.of("value é \"quoted\""));
        Attribute unserializable = new Attribute(AttributeName.of("live"), AttributeValue.ofUnserializable(new Object()));
        Attribute date = new Attribute(AttributeName.of("dsn-arrival-date"),
            AttributeValue.of(ZonedDateTime.of(2026, 12, 8, 0, 30, 0, 0, ZoneOffset.UTC)));
        Attribute number = new Attribute(AttributeName.of("number"), AttributeValue.of(42));
        Attribute map = new Attribute(AttributeName.of("map"),
            AttributeValue.of(Map.of("k", AttributeValue.of(true))));
        MailImpl mail = mail(List.of(text, unserializable, date, number, map));

        MailRecord.Encoded encoded = MailRecord.encode(mail, 0, 5);
        MailImpl decoded = MailRecord.decode(encoded.bytes(), "record");

        assertThat(encoded.attributes()).containsExactlyInAnyOrder(text, date, number, map);
        assertThat(decoded.attributes()).containsExactlyInAnyOrder(text, date, number, map);
    }

    @Test
    void aMailWithoutAttributesHasNone() throws Exception {
        assertThat(MailRecord.decode(MailRecord.encode(mail(List.of()), 0, 5).bytes(), "record").attributes()).isEmpty();
    }

    private record BytesSource(byte[] bytes) implements MimeMessageSource {
        @Override
        public String getSourceId() {
            return "bytes";
        }

        @Override
        public InputStream getInputStream() {
            return new ByteArrayInputStream(bytes);
        }

        @Override
        public long getMessageSize() {
            return bytes.length;
        }
    }
}
