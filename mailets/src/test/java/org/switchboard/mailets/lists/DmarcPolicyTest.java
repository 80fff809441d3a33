package org.switchboard.mailets.lists;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.james.core.Domain;
import org.junit.jupiter.api.Test;

/** The organizational domain whose DMARC record covers a subdomain (RFC 7489 3.2). */
class DmarcPolicyTest {
    @Test
    void isThePublicSuffixPlusOneLabel() {
        assertThat(DmarcPolicy.organizationalDomain(Domain.of("mail.example.com"))).isEqualTo("example.com");
        assertThat(DmarcPolicy.organizationalDomain(Domain.of("Example.COM"))).isEqualTo("example.com");
        assertThat(DmarcPolicy.organizationalDomain(Domain.of("lists.example.co.uk"))).isEqualTo("example.co.uk");
        assertThat(DmarcPolicy.organizationalDomain(Domain.of("a.b.example.com.au"))).isEqualTo("example.com.au");
    }

    @Test
    void aPublicSuffixIsItsOwn() {
        assertThat(DmarcPolicy.organizationalDomain(Domain.of("co.uk"))).isEqualTo("co.uk");
    }

    @Test
    void aNameUnderNoListedSuffixCountsItsLastLabelAsTheSuffix() {
        assertThat(DmarcPolicy.organizationalDomain(Domain.of("posts.strict.test"))).isEqualTo("strict.test");
        assertThat(DmarcPolicy.organizationalDomain(Domain.of("localdomain"))).isEqualTo("localdomain");
    }
}
