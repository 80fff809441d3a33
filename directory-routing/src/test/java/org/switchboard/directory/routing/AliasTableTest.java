package org.switchboard.directory.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.james.core.MailAddress;
import org.junit.jupiter.api.Test;

class AliasTableTest {
    private final List<String> warnings = new ArrayList<>();

    private static MailAddress address(String text) throws Exception {
        return new MailAddress(text);
    }

    private static AliasTable.Claim claim(String alias, String ownerMail) throws Exception {
        String dn = "mail=" + ownerMail + ",dc=example,dc=com";
        return new AliasTable.Claim(alias, dn, dn, address(ownerMail));
    }

    @Test
    void mapsAliasesToOwners() throws Exception {
        AliasTable table = AliasTable.resolve(List.of(claim("a1@example.com", "alice@example.com"),
            claim("a2@example.com", "alice@example.com"), claim("b1@example.com", "bob@example.com")), List.of(), 42,
            (k, m) -> warnings.add(m));
        assertThat(table.owners()).isEqualTo(Map.of("a1@example.com", address("alice@example.com"),
            "a2@example.com", address("alice@example.com"), "b1@example.com", address("bob@example.com")));
        assertThat(table.owner("b1@example.com")).contains(address("bob@example.com"));
        assertThat(table.owner("nobody@example.com")).isEmpty();
        assertThat(table.builtAtNanos()).isEqualTo(42);
        assertThat(table.dependentDns()).containsExactlyInAnyOrder("mail=alice@example.com,dc=example,dc=com",
            "mail=bob@example.com,dc=example,dc=com");
        assertThat(warnings).isEmpty();
    }

    @Test
    void aliasClaimedByTwoEntriesIsLeftOutNamingBoth() throws Exception {
        AliasTable table = AliasTable.resolve(List.of(claim("shared@example.com", "alice@example.com"),
            claim("shared@example.com", "bob@example.com"), claim("a1@example.com", "alice@example.com")), List.of(),
            0, (k, m) -> warnings.add(m));
        assertThat(table.owners()).containsOnlyKeys("a1@example.com");
        assertThat(table.ambiguous()).isEqualTo(1);
        assertThat(table.claimedKeys()).contains("shared@example.com");
        assertThat(warnings).singleElement().asString()
            .contains("mail=alice@example.com,dc=example,dc=com").contains("mail=bob@example.com,dc=example,dc=com");
    }

    @Test
    void sameEntryClaimingTwiceIsNotAmbiguous() throws Exception {
        AliasTable table = AliasTable.resolve(List.of(claim("x@example.com", "alice@example.com"),
            claim("x@example.com", "alice@example.com")), List.of(), 0, (k, m) -> warnings.add(m));
        assertThat(table.owners()).containsOnlyKeys("x@example.com");
        assertThat(warnings).isEmpty();
    }

    @Test
    void aliasThatIsAnEntrysMailIsLeftOut() throws Exception {
        String carolDn = "mail=carol@example.com,dc=example,dc=com";
        AliasTable table = AliasTable.resolve(List.of(claim("carol@example.com", "alice@example.com")),
            List.of(new AliasTable.MailHolder("carol@example.com", carolDn, carolDn)), 0, (k, m) -> warnings.add(m));
        assertThat(table.owners()).isEmpty();
        assertThat(table.conflicting()).isEqualTo(1);
        assertThat(table.dependentDns()).contains(carolDn);
        assertThat(warnings).singleElement().asString().contains(carolDn).contains("the entry wins");
    }
}
