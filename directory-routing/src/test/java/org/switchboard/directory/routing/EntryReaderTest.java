package org.switchboard.directory.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.james.core.MailAddress;
import org.junit.jupiter.api.Test;

import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldif.LDIFException;

class EntryReaderTest {
    private final List<String> warnings = new ArrayList<>();

    private static Entry entry(String... ldif) {
        try {
            return new Entry(ldif);
        } catch (LDIFException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void readsTheSpecEntry() throws Exception {
        EntryReader.Read read = EntryReader.read(entry(
            "dn: mail=peterchan@ima.net,dc=ima,dc=net",
            "objectClass: top",
            "objectClass: ieperson",
            "mail: peterchan@ima.net",
            "cn: Peter Chan",
            "x-permission: SMTPC$Send/Receive",
            "othermailbox: SMTPC$peterchan@otherisp.net",
            "othermailbox: LOCAL$peterchan@ima.net",
            "ieMailAlias: Peter.Chan@mail.ima.net"));
        assertThat(read.problems()).isEmpty();
        DirectoryEntry entry = read.entry().orElseThrow();
        assertThat(entry.dn()).isEqualTo("mail=peterchan@ima.net,dc=ima,dc=net");
        assertThat(entry.mail()).isEqualTo(new MailAddress("peterchan@ima.net"));
        assertThat(entry.objectClasses()).containsExactlyInAnyOrder("top", "ieperson");
        assertThat(entry.hasObjectClass("IEPERSON")).isTrue();
        assertThat(entry.routes()).containsExactly(OtherMailbox.parse("SMTPC$peterchan@otherisp.net"),
            OtherMailbox.parse("LOCAL$peterchan@ima.net"));
        assertThat(entry.permissions()).isEqualTo(Map.of("SMTPC", Permission.SEND_RECEIVE));
        assertThat(entry.permission("smtpc")).isEqualTo(Permission.SEND_RECEIVE);
        assertThat(entry.permission("CCMAIL")).isEqualTo(Permission.SEND_RECEIVE);
        assertThat(entry.aliases()).containsExactly(new MailAddress("Peter.Chan@mail.ima.net"));
        assertThat(entry.disabled()).isFalse();
        assertThat(entry.invalidValues()).isEmpty();
        assertThat(read.mailKeys()).containsExactly("peterchan@ima.net");
        assertThat(read.aliasKeys()).containsExactly("peter.chan@mail.ima.net");
        assertThat(read.normalizedDn()).isEqualTo("mail=peterchan@ima.net,dc=ima,dc=net");
    }

    @Test
    void invalidValuesAreReportedNotThrown() {
        EntryReader.Read read = EntryReader.read(entry(
            "dn: mail=bad@ima.net,dc=ima,dc=net",
            "objectClass: ieperson",
            "mail: bad@ima.net",
            "otherMailbox: BAD CHANNEL$x@ima.net",
            "otherMailbox: SMTPC$",
            "otherMailbox: LOCAL$bad@ima.net",
            "x-permission: SMTPC$Maybe",
            "x-permission: NOTES$None",
            "ieMailAlias: not an address",
            "ieAccountDisabled: TRUE"));
        DirectoryEntry entry = read.entry().orElseThrow();
        assertThat(entry.routes()).containsExactly(new OtherMailbox("LOCAL", "bad@ima.net"));
        assertThat(entry.permissions()).isEqualTo(Map.of("NOTES", Permission.NONE));
        assertThat(entry.aliases()).isEmpty();
        assertThat(entry.disabled()).isTrue();
        assertThat(entry.invalidValues()).containsExactly("otherMailbox: BAD CHANNEL$x@ima.net",
            "otherMailbox: SMTPC$", "x-permission: SMTPC$Maybe", "ieMailAlias: not an address");
        assertThat(read.problems()).hasSize(4).allSatisfy(p -> assertThat(p).contains("("));
    }

    @Test
    void twoRightsForOneChannelGiveTheMoreRestrictive() {
        DirectoryEntry entry = EntryReader.read(entry(
            "dn: mail=a@ima.net,dc=ima,dc=net",
            "mail: a@ima.net",
            "x-permission: SMTPC$Send",
            "x-permission: smtpc$Receive")).entry().orElseThrow();
        assertThat(entry.permission("SMTPC")).isEqualTo(Permission.NONE);
        assertThat(entry.invalidValues()).isEmpty();
    }

    @Test
    void ownerIsTheMailOfTheRdn() {
        EntryReader.Read read = EntryReader.read(entry(
            "dn: mail=Second@ima.net,dc=ima,dc=net",
            "mail: first@ima.net",
            "mail: Second@ima.net",
            "ieMailAlias: FIRST@ima.net",
            "ieMailAlias: third@ima.net"));
        assertThat(read.entry().orElseThrow().mail().asString()).isEqualTo("Second@ima.net");
        assertThat(read.mailKeys()).containsExactlyInAnyOrder("first@ima.net", "second@ima.net");
        assertThat(read.aliasKeys()).containsExactly("third@ima.net"); // its own mail is no alias
        // without a mail RDN: the first value
        assertThat(EntryReader.read(entry("dn: cn=shared,dc=ima,dc=net", "objectClass: iemessagestoreshared",
            "mail: shared@ima.net", "cn: shared")).entry().orElseThrow().mail().asString()).isEqualTo("shared@ima.net");
    }

    @Test
    void entryWithoutUsableMailHasNoRoutingView() {
        EntryReader.Read read = EntryReader.read(entry("dn: cn=x,dc=ima,dc=net", "cn: x", "ieMailAlias: x@ima.net"));
        assertThat(read.entry()).isEmpty();
        assertThat(read.aliasKeys()).containsExactly("x@ima.net");
        EntryReader.Read broken = EntryReader.read(entry("dn: cn=y,dc=ima,dc=net", "mail: not-an-address@"));
        assertThat(broken.entry()).isEmpty();
        assertThat(broken.problems()).singleElement().asString().startsWith("mail: not-an-address@");
    }

    private EntryReader.Resolution resolve(String key, Entry... entries) {
        return EntryReader.resolve(key, java.util.Arrays.stream(entries).map(EntryReader::read).toList(),
            (k, message) -> warnings.add(message));
    }

    @Test
    void ownMailWinsOverAnotherEntrysAlias() {
        Entry owner = entry("dn: mail=a@ima.net,dc=ima,dc=net", "mail: a@ima.net");
        Entry claimant = entry("dn: mail=b@ima.net,dc=ima,dc=net", "mail: b@ima.net", "ieMailAlias: A@ima.net");
        EntryReader.Resolution resolution = resolve("a@ima.net", claimant, owner);
        assertThat(resolution.entry().orElseThrow().dn()).isEqualTo("mail=a@ima.net,dc=ima,dc=net");
        assertThat(resolution.dependencies()).containsExactlyInAnyOrder("mail=a@ima.net,dc=ima,dc=net",
            "mail=b@ima.net,dc=ima,dc=net");
        assertThat(warnings).isEmpty();
    }

    @Test
    void aliasOfOneEntryDesignatesIt() {
        Entry claimant = entry("dn: mail=b@ima.net,dc=ima,dc=net", "mail: b@ima.net", "ieMailAlias: alias@ima.net");
        assertThat(resolve("alias@ima.net", claimant).entry().orElseThrow().mail().asString()).isEqualTo("b@ima.net");
    }

    @Test
    void aliasOfTwoEntriesIsAmbiguous() {
        Entry one = entry("dn: mail=b@ima.net,dc=ima,dc=net", "mail: b@ima.net", "ieMailAlias: alias@ima.net");
        Entry two = entry("dn: mail=c@ima.net,dc=ima,dc=net", "mail: c@ima.net", "ieMailAlias: ALIAS@ima.net");
        EntryReader.Resolution resolution = resolve("alias@ima.net", one, two);
        assertThat(resolution.entry()).isEmpty();
        assertThat(resolution.dependencies()).hasSize(2);
        assertThat(warnings).singleElement().asString().contains("mail=b@ima.net,dc=ima,dc=net")
            .contains("mail=c@ima.net,dc=ima,dc=net").contains("ambiguous");
    }

    @Test
    void mailOfTwoEntriesIsAmbiguous() {
        Entry one = entry("dn: mail=d@ima.net,dc=ima,dc=net", "mail: d@ima.net");
        Entry two = entry("dn: mail=d@ima.net,dc=sales,dc=ima,dc=net", "mail: d@ima.net");
        assertThat(resolve("d@ima.net", one, two).entry()).isEmpty();
        assertThat(warnings).singleElement().asString().contains("several entries");
    }

    @Test
    void nothingMatchingIsUnknown() {
        assertThat(resolve("nobody@ima.net").entry()).isEmpty();
        assertThat(resolve("nobody@ima.net").dependencies()).isEmpty();
    }
}
