package org.switchboard.it.mpt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.apache.james.mpt.api.ImapFeatures.Feature;
import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.ImapTestConstants;
import org.apache.james.mpt.imapmailbox.suite.base.BasicImapCommands;
import org.apache.james.mpt.script.SimpleScriptedTestProtocol;
import org.apache.james.mpt.imapmailbox.suite.AuthenticatePlain;
import org.apache.james.mpt.imapmailbox.suite.AuthenticatedState;
import org.apache.james.mpt.imapmailbox.suite.ConcurrentSessions;
import org.apache.james.mpt.imapmailbox.suite.Copy;
import org.apache.james.mpt.imapmailbox.suite.Events;
import org.apache.james.mpt.imapmailbox.suite.Expunge;
import org.apache.james.mpt.imapmailbox.suite.Fetch;
import org.apache.james.mpt.imapmailbox.suite.FetchBodySection;
import org.apache.james.mpt.imapmailbox.suite.FetchBodyStructure;
import org.apache.james.mpt.imapmailbox.suite.FetchHeaders;
import org.apache.james.mpt.imapmailbox.suite.Listing;
import org.apache.james.mpt.imapmailbox.suite.ListingWithSharingTest;
import org.apache.james.mpt.imapmailbox.suite.MailboxAnnotation;
import org.apache.james.mpt.imapmailbox.suite.MailboxWithLongNameError;
import org.apache.james.mpt.imapmailbox.suite.Move;
import org.apache.james.mpt.imapmailbox.suite.NonAuthenticatedState;
import org.apache.james.mpt.imapmailbox.suite.ObjectId;
import org.apache.james.mpt.imapmailbox.suite.PartialFetch;
import org.apache.james.mpt.imapmailbox.suite.QuotaTest;
import org.apache.james.mpt.imapmailbox.suite.Recent;
import org.apache.james.mpt.imapmailbox.suite.Rename;
import org.apache.james.mpt.imapmailbox.suite.Search;
import org.apache.james.mpt.imapmailbox.suite.Security;
import org.apache.james.mpt.imapmailbox.suite.Select;
import org.apache.james.mpt.imapmailbox.suite.SelectedInbox;
import org.apache.james.mpt.imapmailbox.suite.SelectedState;
import org.apache.james.mpt.imapmailbox.suite.UidSearch;
import org.apache.james.mpt.imapmailbox.suite.UidSearchOnIndex;
import org.apache.james.mpt.imapmailbox.suite.UserFlagsSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.it.MailAccess;
import org.switchboard.it.PackagedServer;

/**
 * James' IMAP protocol scripts (apache-james-mpt-imapmailbox-core 3.8.1) against the packaged server: each nested
 * class is one of James' suite classes, run as James runs it against its in-memory server, here over the IMAP port
 * with STARTTLS ({@link PackagedImapHostSystem}). One server for all; every test has fresh accounts.
 *
 * <p>The suites James runs against its own servers, with these differences (integration-tests/README.md):
 * <ul>
 * <li>Not run: {@code ACLCommands}, {@code ACLIntegration} (James runs them only against Cyrus; written for
 * Cyrus' answers), {@code Condstore} (reconfigures James' in-process processors; its script for the shipped
 * setting, {@code CondstoreDisable}, runs in {@link CondstoreScripts}).</li>
 * <li>Features our server does not announce are not declared, so the suites skip their tests as they do on James'
 * hosts without them: {@code MOD_SEQ_SEARCH} (James 3.8.1's IMAP server never announces CONDSTORE: it does not read
 * the setting), {@code NAMESPACE_SUPPORT} (only the personal namespace exists).</li>
 * <li>Single tests that need James' in-process host, each {@code @Disabled} with its reason below.</li>
 * <li>As in James' script host, {@code provisionDefaultMailboxes} is off (the scripts list exactly the mailboxes they
 * create; the shipped server creates Archive, Drafts, Outbox, Sent, Spam, Trash at first login) and
 * {@code imapuser} is an administrator in {@code AuthenticatePlain}.</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JamesImapScriptsIT {
    /**
     * UidSearchAtoms expects BODY "the" to find message 25, whose only "the" is inside "another" in the MIME preamble
     * and headers of a message nested in a multipart: James' Lucene index (IMAP SEARCH here) indexes the text parts,
     * not preambles nor nested headers. James runs only UidSearchOnIndex against its Lucene index, not this suite.
     */
    private static final String NESTED_PREAMBLE = "James' Lucene index does not index MIME preambles and nested message "
        + "headers as body text; the script's BODY \"the\" expects a hit inside \"another\" there";
    private static final String DOMAIN = "example.com";
    private static final String PROBE = "probe@" + DOMAIN;
    private static final String ADMINISTRATOR = "imapuser-administrator@" + DOMAIN;
    /** What the server announces, checked at start: the features the suites may use. */
    private static final Set<Feature> FEATURES = EnumSet.of(Feature.MOVE_SUPPORT, Feature.USER_FLAGS_SUPPORT,
        Feature.QUOTA_SUPPORT, Feature.ANNOTATION_SUPPORT);

    @TempDir
    static Path temp;
    private static PackagedServer server;

    @BeforeAll
    void boot() throws Exception {
        server = PackagedServer.unpack(temp);
        server.rewrite("imapserver.xml", "<enableIdle>true</enableIdle>",
            "<enableIdle>true</enableIdle>\n        <provisionDefaultMailboxes>false</provisionDefaultMailboxes>");
        // the IMAP administrator, who may log in as another user (AuthenticatePlain), as imapuser is in James' host
        server.rewrite("usersrepository.xml", "<enableForwarding>true</enableForwarding>",
            "<enableForwarding>true</enableForwarding>\n    <administratorId>" + ADMINISTRATOR + "</administratorId>");
        server.startWith(DOMAIN, ImapTestConstants.PASSWORD, PROBE, ADMINISTRATOR);
        try (OwnerImapClient probe = OwnerImapClient.login(server.imapPort, PROBE, ImapTestConstants.PASSWORD)) {
            List<String> capability = probe.expectOk("CAPABILITY");
            assertThat(capability).as("features the suites use").anySatisfy(line -> assertThat(line)
                .contains(" MOVE ").contains(" QUOTA ").contains(" METADATA ").doesNotContain("CONDSTORE"));
            probe.expectOk("CREATE flags");
            assertThat(probe.expectOk("SELECT flags")).as("user flags").contains(
                "* OK [PERMANENTFLAGS (\\Answered \\Deleted \\Draft \\Flagged \\Seen \\*)] Limited");
        }
    }

    @AfterAll
    void shutdown() throws Exception {
        PackagedServer.closeKeepingLog(server, "JamesImapScriptsIT");
    }

    static ImapHostSystem hostSystem() {
        return new PackagedImapHostSystem(server, DOMAIN, FEATURES);
    }

    /**
     * James' Condstore suite reconfigures its in-process host's processors, which a network server cannot do; the
     * script of the shipped setting runs here: James 3.8.1's IMAP server does not read a CONDSTORE setting, CONDSTORE
     * is not announced, and ENABLE CONDSTORE enables nothing.
     */
    @Nested
    class CondstoreScripts {
        @Test
        void condstoreIsDisabledAsShipped() throws Exception {
            SimpleScriptedTestProtocol protocol = new SimpleScriptedTestProtocol("/org/apache/james/imap/scripts/",
                hostSystem())
                .withUser(ImapTestConstants.USER, ImapTestConstants.PASSWORD)
                .withLocale(Locale.US);
            BasicImapCommands.welcome(protocol);
            BasicImapCommands.authenticate(protocol);
            protocol.run("CondstoreDisable");
        }
    }

    @Nested
    class AuthenticatedStateScripts extends AuthenticatedState {
        @Override
        protected ImapHostSystem createImapHostSystem() {
            return hostSystem();
        }
    }

    @Nested
    class ConcurrentSessionsScripts extends ConcurrentSessions {
        private static final String DELETED_BYE = "Expects '* BYE Selected mailbox has been deleted' when another "
            + "session deletes the selected mailbox: James 3.8.1 writes it only in its in-process stream handler "
            + "(ImapRequestStreamHandler), not in its network handler, which our server runs. Our server answers the NOOP "
            + "with OK; the session's next FETCH is refused (NO) and SELECT finds no such mailbox.";

        @Override
        protected ImapHostSystem createImapHostSystem() {
            return hostSystem();
        }

        @Test
        @Disabled(DELETED_BYE)
        @Override
        public void testConcurrentDeleteSelectedUS() {
        }

        @Test
        @Disabled(DELETED_BYE)
        @Override
        public void testConcurrentDeleteSelectedKOREA() {
        }

        @Test
        @Disabled(DELETED_BYE)
        @Override
        public void testConcurrentDeleteSelectedITALY() {
        }
    }

    @Nested
    class CopyScripts extends Copy {
        @Override
        protected ImapHostSystem createImapHostSystem() {
            return hostSystem();
        }
    }

    @Nested
    class EventsScripts extends Events {
        @Override
        protected ImapHostSystem createImapHostSystem() {
            return hostSystem();
        }
    }

    @Nested
    class ExpungeScripts extends Expunge {
        @Override
        protected ImapHostSystem createImapHostSystem() {
            return hostSystem();
        }
    }

    @Nested
    class FetchScripts extends Fetch {
        @Override
        protected ImapHostSystem createImapHostSystem() {
            return hostSystem();
        }
    }

    @Nested
    class FetchBodySectionScripts extends FetchBodySection {
        @Override
        protected ImapHostSystem createImapHostSystem() {
            return hostSystem();
        }
    }

    @Nested
    class FetchBodyStructureScripts extends FetchBodyStructure {
        @Override
        protected ImapHostSystem createImapHostSystem() {
            return hostSystem();
        }
    }

    @Nested
    class FetchHeadersScripts extends FetchHeaders {
        @Override
        protected ImapHostSystem createImapHostSystem() {
            return hostSystem();
        }
    }

    @Nested
    class ListingScripts extends Listing {
        @Override
        protected ImapHostSystem createImapHostSystem() {
            return hostSystem();
        }
    }

    @Nested
    class ListingWithSharingTestScripts extends ListingWithSharingTest {
        @Override
        protected ImapHostSystem createImapHostSystem() {
            return hostSystem();
        }
    }

    @Nested
    class MailboxAnnotationScripts extends MailboxAnnotation {
        @Override
        protected ImapHostSystem createImapHostSystem() {
            return hostSystem();
        }
    }

    @Nested
    class MailboxWithLongNameErrorScripts extends MailboxWithLongNameError {
        @Override
        protected ImapHostSystem createImapHostSystem() {
            return hostSystem();
        }
    }

    @Nested
    class MoveScripts extends Move {
        @Override
        protected ImapHostSystem createImapHostSystem() {
            return hostSystem();
        }
    }

    @Nested
    class NonAuthenticatedStateScripts extends NonAuthenticatedState {
        @Override
        protected ImapHostSystem createImapHostSystem() {
            return hostSystem();
        }
    }

    @Nested
    class ObjectIdScripts extends ObjectId {
        @Override
        protected ImapHostSystem createImapHostSystem() {
            return hostSystem();
        }
    }

    @Nested
    class PartialFetchScripts extends PartialFetch {
        @Override
        protected ImapHostSystem createImapHostSystem() {
            return hostSystem();
        }
    }

    @Nested
    class QuotaTestScripts extends QuotaTest {
        @Override
        protected ImapHostSystem createImapHostSystem() {
            return hostSystem();
        }
    }

    @Nested
    class RecentScripts extends Recent {
        @Override
        protected ImapHostSystem createImapHostSystem() {
            return hostSystem();
        }
    }

    @Nested
    class RenameScripts extends Rename {
        @Override
        protected ImapHostSystem createImapHostSystem() {
            return hostSystem();
        }
    }

    @Nested
    class SearchScripts extends Search {
        @Override
        protected ImapHostSystem createImapHostSystem() {
            return hostSystem();
        }
    }

    @Nested
    class SecurityScripts extends Security {
        private static final String AFTER_BYE = "JustTag goes on after the server's BYE (a LOGOUT with arguments): James' "
            + "in-process host keeps the session, a network server closes it after BYE (RFC 3501 7.1.5). The BYE itself "
            + "is checked by NoCommand, the same first line.";

        @Override
        protected ImapHostSystem createImapHostSystem() {
            return hostSystem();
        }

        @Test
        @Disabled(AFTER_BYE)
        @Override
        public void testJustTagUS() {
        }

        @Test
        @Disabled(AFTER_BYE)
        @Override
        public void testJustTagKOREA() {
        }

        @Test
        @Disabled(AFTER_BYE)
        @Override
        public void testJustTagITALY() {
        }
    }

    @Nested
    class SelectScripts extends Select {
        @Override
        protected ImapHostSystem createImapHostSystem() {
            return hostSystem();
        }
    }

    @Nested
    class SelectedInboxScripts extends SelectedInbox {
        private static final String AFTER_LOGOUT = "After LOGOUT the suite's clean-up sends CLOSE and reads an answer: "
            + "James' in-process host keeps answering, a network server has closed the connection (RFC 3501 6.1.3). "
            + "The Logout script runs in NonAuthenticatedStateScripts and AuthenticatedStateScripts.";

        @Override
        protected ImapHostSystem createImapHostSystem() {
            return hostSystem();
        }

        @Test
        @Disabled(AFTER_LOGOUT)
        @Override
        public void testLogoutUS() {
        }

        @Test
        @Disabled(AFTER_LOGOUT)
        @Override
        public void testLogoutITALY() {
        }

        @Test
        @Disabled(AFTER_LOGOUT)
        @Override
        public void testLogoutKOREA() {
        }
    }

    @Nested
    class SelectedStateScripts extends SelectedState {
        @Override
        protected ImapHostSystem createImapHostSystem() {
            return hostSystem();
        }

        @Test
        @Disabled("REPLACE (RFC 8508) is not announced: James 3.8.1's server command set (ImapPackage) has neither its "
            + "parser nor its processor, so UID REPLACE is refused as BAD; only James' in-process host has it")
        @Override
        public void testReplace() {
        }
    }

    @Nested
    class UidSearchScripts extends UidSearch {
        @Override
        protected ImapHostSystem createImapHostSystem() {
            return hostSystem();
        }

        @Test
        @Disabled(NESTED_PREAMBLE)
        @Override
        public void testSearchAtomsUS() {
        }

        @Test
        @Disabled(NESTED_PREAMBLE)
        @Override
        public void testSearchAtomsITALY() {
        }

        @Test
        @Disabled(NESTED_PREAMBLE)
        @Override
        public void testSearchAtomsKOREA() {
        }
    }

    @Nested
    class UidSearchOnIndexScripts extends UidSearchOnIndex {
        @Override
        protected ImapHostSystem createImapHostSystem() {
            return hostSystem();
        }
    }

    @Nested
    class UserFlagsSupportScripts extends UserFlagsSupport {
        @Override
        protected ImapHostSystem createImapHostSystem() {
            return hostSystem();
        }
    }

    /** The script ends with the administrator logging in as another user: imapuser is the server's administrator. */
    @Nested
    class AuthenticatePlainScripts extends AuthenticatePlain {
        @Override
        protected ImapHostSystem createImapHostSystem() {
            try {
                return PackagedImapHostSystem.withAdministrator(server, DOMAIN, FEATURES,
                    ImapTestConstants.USER.asString(), ADMINISTRATOR, ImapTestConstants.PASSWORD);
            } catch (Exception e) {
                throw new IllegalStateException("the administrator's account could not be emptied", e);
            }
        }
    }
}
