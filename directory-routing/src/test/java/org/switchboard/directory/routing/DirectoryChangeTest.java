package org.switchboard.directory.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.controls.EntryChangeNotificationControl;
import com.unboundid.ldap.sdk.controls.PersistentSearchChangeType;

/** What a persistent search notification says: the entry's addresses now, and whether a whole branch moved. */
class DirectoryChangeTest {

    private static SearchResultEntry notification(String dn, PersistentSearchChangeType type, String previousDn,
                                                  Attribute... attributes) {
        return new SearchResultEntry(dn, attributes, new EntryChangeNotificationControl(type, previousDn, -1L));
    }

    @Test
    void aRenamedPersonCarriesItsAddressesAndItsPreviousDn() {
        DirectoryChange change = DirectoryChange.of(notification("mail=New@Example.com,dc=example,dc=com",
            PersistentSearchChangeType.MODIFY_DN, "MAIL=old@example.com,DC=example,DC=com",
            new Attribute("mail", "New@Example.com"), new Attribute("ieMailAlias", "Nick@Example.com")));
        assertThat(change.type()).isEqualTo(PersistentSearchChangeType.MODIFY_DN);
        assertThat(change.normalizedDn()).isEqualTo("mail=new@example.com,dc=example,dc=com");
        assertThat(change.previousDn()).isEqualTo("mail=old@example.com,dc=example,dc=com");
        assertThat(change.keys()).containsExactlyInAnyOrder("new@example.com", "nick@example.com");
        assertThat(change.aliasKeys()).containsExactly("nick@example.com");
        assertThat(change.isBranch()).isFalse();
    }

    @Test
    void aBranchWithoutMailDeletedOrRenamedConcernsEverythingBelowIt() {
        assertThat(DirectoryChange.of(notification("dc=sales,dc=example,dc=com", PersistentSearchChangeType.DELETE,
            null, new Attribute("dc", "sales"))).isBranch()).isTrue();
        assertThat(DirectoryChange.of(notification("dc=shop,dc=example,dc=com", PersistentSearchChangeType.MODIFY_DN,
            "dc=sales,dc=example,dc=com")).isBranch()).isTrue();
        // an entry without mail added or modified moves nothing below it
        assertThat(DirectoryChange.of(notification("ou=config,dc=example,dc=com", PersistentSearchChangeType.ADD,
            null)).isBranch()).isFalse();
        assertThat(DirectoryChange.of(notification("ou=config,dc=example,dc=com", PersistentSearchChangeType.MODIFY,
            null)).isBranch()).isFalse();
    }

    @Test
    void aNotificationWithoutItsControlIsTreatedAsABranchWhenItHasNoMail() {
        DirectoryChange change = DirectoryChange.of(new SearchResultEntry("ou=people,dc=example,dc=com",
            new Attribute[0]));
        assertThat(change.type()).isNull();
        assertThat(change.isBranch()).isTrue();
    }
}
