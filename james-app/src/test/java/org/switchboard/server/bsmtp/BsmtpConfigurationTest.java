package org.switchboard.server.bsmtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.List;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.james.core.MailAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BsmtpConfigurationTest {
    @TempDir
    Path conf;

    private List<Pop3Account> read(String accounts) throws Exception {
        XMLConfiguration configuration = new XMLConfiguration();
        new FileHandler(configuration).load(new StringReader("<bsmtp>" + accounts + "</bsmtp>"));
        return BsmtpConfiguration.read(configuration, conf);
    }

    private static String account(String name, String extra) {
        return "<account name=\"" + name + "\"><host>pop.example.net</host><user>tunnel</user><password> s3cret </password>"
            + "<encoders>enc@example.com, other@example.com</encoders><allowedDomains>smallcorp.test</allowedDomains>"
            + extra + "</account>";
    }

    @Test
    void readsAccountsWithTheirDefaults() throws Exception {
        List<Pop3Account> accounts = read(account("a", "") + account("b",
            "<security>pop3s</security><interval>30s</interval><window>22:00-06:00</window>"));

        Pop3Account first = accounts.get(0);
        assertThat(first.port()).isEqualTo(110);
        assertThat(first.security()).isEqualTo(Pop3Account.Security.STARTTLS);
        assertThat(first.interval()).isEqualTo(Duration.ofMinutes(5));
        // James' XML configuration trims element text (xml:space="preserve" keeps it)
        assertThat(first.password()).isEqualTo("s3cret");
        assertThat(first.encoders()).containsExactly(new MailAddress("enc@example.com"), new MailAddress("other@example.com"));
        assertThat(first.toString()).doesNotContain("s3cret");
        Pop3Account second = accounts.get(1);
        assertThat(second.port()).isEqualTo(995);
        assertThat(second.interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(second.window().orElseThrow().contains(LocalTime.of(23, 0))).isTrue();
        assertThat(second.window().orElseThrow().contains(LocalTime.of(5, 59))).isTrue();
        assertThat(second.window().orElseThrow().contains(LocalTime.of(12, 0))).isFalse();
    }

    @Test
    void mistakesNameTheAccountAndTheElement() {
        assertThatThrownBy(() -> read(account("a", "<port>0</port>")))
            .hasMessage("conf/bsmtp.xml: account a: port '0': expected 1-65535");
        assertThatThrownBy(() -> read(account("a", "<security>tls</security>")))
            .hasMessage("conf/bsmtp.xml: account a: security 'tls': expected pop3s, starttls or none");
        assertThatThrownBy(() -> read(account("a", "<window>late</window>")))
            .hasMessage("conf/bsmtp.xml: account a: window 'late': expected HH:MM-HH:MM");
        assertThatThrownBy(() -> read(account("a", "<hots>x</hots>")))
            .hasMessageStartingWith("conf/bsmtp.xml: account a: unknown element(s) [hots]");
        assertThatThrownBy(() -> read(account("a", "<trustedCertificate>missing.pem</trustedCertificate>")))
            .hasMessageContaining("trustedCertificate").hasMessageContaining("cannot be read");
        assertThatThrownBy(() -> read("<account name=\"a\"><host>h</host><user>u</user><password>p</password>"
            + "<encoders>e@example.com</encoders></account>"))
            .hasMessage("conf/bsmtp.xml: account a: <allowedDomains> is missing or empty");
        assertThatThrownBy(() -> read(account("a", "") + account("a", "")))
            .hasMessage("conf/bsmtp.xml: two accounts are named a");
        assertThatThrownBy(() -> read(account("../x", "")))
            .hasMessageContaining("the name attribute is missing");
    }

    @Test
    void noAccountIsAValidConfiguration() throws Exception {
        assertThat(read("")).isEmpty();
    }
}
