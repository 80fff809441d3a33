package org.switchboard.mailets.messageswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.switchboard.mailets.messageswitch.InMemoryDirectoryRouting.address;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;
import org.apache.mailet.ProcessingState;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.switchboard.directory.routing.DirectoryRouting;
import org.switchboard.pipeline.Route;
import org.switchboard.pipeline.RouteAttribute;

import com.google.inject.Guice;

class MessageSwitchTest {
    private InMemoryDirectoryRouting directory;
    private RecordingMailetContext context;
    private MessageSwitch messageSwitch;

    @BeforeEach
    void setUp() throws MessagingException {
        directory = new InMemoryDirectoryRouting()
            .person("user@example.com", List.of("user@mail.example.com", "u.ser@example.com"))
            .person("peter@ima.net", List.of("pchan@ima.net"),
                "LOCAL$peter@ima.net", "SMTPC$peterchan@otherisp.net")
            .person("traveller@example.com", List.of(),
                "SMTPC$traveller@home.example.org", "SMTPC$traveller@work.example.org")
            .person("mirror@example.com", List.of(), "SMTPC$traveller@home.example.org")
            .person("broken@example.com", List.of(), "SMTPC$not an address")
            .person("misrouted@example.com", List.of(), "LOCAL$misrouted@elsewhere.example.org")
            .person("contact@partner.example.org", List.of())
            .person("notes@example.com", List.of(), "NOTESIN$Peter Chan/Sales/Acme", "DL$staff@example.com")
            .person("oldnotes@example.com", List.of(), "NOTES$Peter Chan/Sales/Acme")
            .disabledPerson("gone@example.com", "SMTPC$gone@newjob.example.org");
        context = new RecordingMailetContext("example.com", "ima.net");
        messageSwitch = initialized(Map.of());
    }

    private MessageSwitch initialized(Map<String, String> parameters) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder()
            .mailetName("MessageSwitch")
            .mailetContext(context.context());
        parameters.forEach(config::setProperty);
        MessageSwitch mailet = new MessageSwitch(directory);
        mailet.init(config.build());
        return mailet;
    }

    private static FakeMail mail(String... recipients) throws MessagingException {
        return FakeMail.builder()
            .name("mail1")
            .sender("sender@outside.example.net")
            .recipients(recipients)
            .state("transport")
            .build();
    }

    private static List<String> recipients(Mail mail) {
        return mail.getRecipients().stream().map(MailAddress::asString).toList();
    }

    private static Map<String, String> routes(Mail mail) {
        Map<String, String> routes = new LinkedHashMap<>();
        RouteAttribute.read(mail).forEach((recipient, route) -> routes.put(recipient.asString(), route.toString()));
        return routes;
    }

    @Test
    void aliasIsDeliveredToItsOwner() throws MessagingException {
        FakeMail mail = mail("user@mail.example.com");

        messageSwitch.service(mail);

        assertThat(recipients(mail)).containsExactly("user@example.com");
        assertThat(routes(mail)).containsExactly(Map.entry("user@example.com", "LOCAL$user@example.com"));
        assertThat(mail.getState()).isEqualTo("transport");
    }

    @Test
    void entryWithoutRoutesKeepsItsAddressAndIsRoutedLocal() throws MessagingException {
        FakeMail mail = mail("user@example.com");

        messageSwitch.service(mail);

        assertThat(recipients(mail)).containsExactly("user@example.com");
        assertThat(routes(mail)).containsExactly(Map.entry("user@example.com", "LOCAL$user@example.com"));
    }

    @Test
    void entryWithoutRoutesInADomainServedElsewhereGetsNoRoute() throws MessagingException {
        FakeMail mail = mail("contact@partner.example.org");

        messageSwitch.service(mail);

        assertThat(recipients(mail)).containsExactly("contact@partner.example.org");
        assertThat(mail.getAttribute(RouteAttribute.NAME)).isEmpty();
    }

    @Test
    void entryWithTwoRoutesBecomesTwoRecipientsWithTheirChannels() throws MessagingException {
        FakeMail mail = mail("traveller@example.com");

        messageSwitch.service(mail);

        assertThat(recipients(mail)).containsExactly("traveller@home.example.org", "traveller@work.example.org");
        assertThat(routes(mail)).containsExactly(
            Map.entry("traveller@home.example.org", "SMTPC$traveller@home.example.org"),
            Map.entry("traveller@work.example.org", "SMTPC$traveller@work.example.org"));
    }

    @Test
    void localAndSmtpcRoutes() throws MessagingException {
        FakeMail mail = mail("peter@ima.net");

        messageSwitch.service(mail);

        assertThat(recipients(mail)).containsExactly("peter@ima.net", "peterchan@otherisp.net");
        assertThat(routes(mail)).containsExactly(
            Map.entry("peter@ima.net", "LOCAL$peter@ima.net"),
            Map.entry("peterchan@otherisp.net", "SMTPC$peterchan@otherisp.net"));
    }

    @Test
    void aliasOfAnEntryWithRoutesFollowsTheRoutes() throws MessagingException {
        FakeMail mail = mail("pchan@ima.net");

        messageSwitch.service(mail);

        assertThat(recipients(mail)).containsExactly("peter@ima.net", "peterchan@otherisp.net");
    }

    @Test
    void unknownRecipientsAreLeftUntouched() throws MessagingException {
        FakeMail mail = mail("stranger@example.com", "someone@remote.example.net");

        messageSwitch.service(mail);

        assertThat(recipients(mail)).containsExactly("stranger@example.com", "someone@remote.example.net");
        assertThat(mail.getAttribute(RouteAttribute.NAME)).isEmpty();
        assertThat(context.sent()).isEmpty();
    }

    @Test
    void mixtureOfRecipients() throws MessagingException {
        FakeMail mail = mail("stranger@remote.example.net", "user@mail.example.com", "peter@ima.net",
            "someone@example.com");

        messageSwitch.service(mail);

        assertThat(recipients(mail)).containsExactly("stranger@remote.example.net", "user@example.com",
            "peter@ima.net", "peterchan@otherisp.net", "someone@example.com");
        assertThat(routes(mail)).containsExactly(
            Map.entry("user@example.com", "LOCAL$user@example.com"),
            Map.entry("peter@ima.net", "LOCAL$peter@ima.net"),
            Map.entry("peterchan@otherisp.net", "SMTPC$peterchan@otherisp.net"));
    }

    @Test
    void duplicatesCollapse() throws MessagingException {
        FakeMail mail = mail("user@mail.example.com", "user@example.com", "u.ser@example.com",
            "traveller@example.com", "mirror@example.com", "traveller@home.example.org");

        messageSwitch.service(mail);

        assertThat(recipients(mail)).containsExactly("user@example.com", "traveller@home.example.org",
            "traveller@work.example.org");
        assertThat(routes(mail)).containsOnlyKeys("user@example.com", "traveller@home.example.org",
            "traveller@work.example.org");
    }

    @Test
    void anUnroutedRecipientThatIsAlsoARouteTargetTakesTheRoute() throws MessagingException {
        FakeMail mail = mail("peterchan@otherisp.net", "peter@ima.net");

        messageSwitch.service(mail);

        assertThat(recipients(mail)).containsExactly("peterchan@otherisp.net", "peter@ima.net");
        assertThat(routes(mail)).containsEntry("peterchan@otherisp.net", "SMTPC$peterchan@otherisp.net");
    }

    @Test
    void invalidRouteAddressSendsTheRecipientToTheErrorProcessor() throws MessagingException {
        FakeMail mail = mail("broken@example.com", "user@example.com");

        messageSwitch.service(mail);

        assertThat(recipients(mail)).containsExactly("user@example.com");
        assertThat(context.sent()).hasSize(1);
        RecordingMailetContext.Sent error = context.sent().get(0);
        assertThat(error.state()).isEqualTo("error");
        assertThat(error.recipients()).containsExactly(address("broken@example.com"));
        assertThat(error.errorMessage()).isEqualTo("Message Switch cannot route broken@example.com: "
            + "unusable othermailbox SMTPC$not an address is not an RFC 5321 address");
    }

    @Test
    void errorProcessorIsConfigurable() throws MessagingException {
        MessageSwitch configured = initialized(Map.of("errorProcessor", "directory-error"));
        FakeMail mail = mail("broken@example.com");

        configured.service(mail);

        assertThat(context.sent()).extracting(RecordingMailetContext.Sent::state).containsExactly("directory-error");
        assertThat(configured.requiredProcessingState()).containsExactly(new ProcessingState("directory-error"));
    }

    @Test
    void mailWhoseEveryRecipientIsRefusedGoesNoFurther() throws MessagingException {
        FakeMail mail = mail("broken@example.com");

        messageSwitch.service(mail);

        assertThat(mail.getRecipients()).isEmpty();
        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        assertThat(context.sent()).hasSize(1);
    }

    @Test
    void localRouteToADomainNotServedHereIsAnError() throws MessagingException {
        FakeMail mail = mail("misrouted@example.com");

        messageSwitch.service(mail);

        assertThat(mail.getRecipients()).isEmpty();
        assertThat(context.sent()).singleElement()
            .satisfies(sent -> assertThat(sent.errorMessage())
                .isEqualTo("Message Switch cannot route misrouted@example.com: unusable othermailbox "
                    + "LOCAL$misrouted@elsewhere.example.org is in domain elsewhere.example.org, not served here"));
    }

    @Test
    void tooLongRouteAddressIsAnError() throws MessagingException {
        String longLocalPart = "a".repeat(65);
        directory.person("long@example.com", List.of(), "SMTPC$" + longLocalPart + "@remote.example.net");
        FakeMail mail = mail("long@example.com");

        messageSwitch.service(mail);

        assertThat(context.sent()).singleElement()
            .satisfies(sent -> assertThat(sent.errorMessage()).contains("has a local part longer than 64 octets"));
    }

    /** James' JPA mail repository cannot store an error message over 200 characters (the error processor keeps a copy). */
    @Test
    void errorMessageFitsJamesMailRepository() throws MessagingException {
        directory.person("many@example.com", List.of(), "SMTPC$" + "b".repeat(60) + " @remote.example.net",
            "LOCAL$" + "c".repeat(60) + "@elsewhere.example.org");
        FakeMail mail = mail("many@example.com", "broken@example.com", "misrouted@example.com");

        messageSwitch.service(mail);

        assertThat(context.sent()).singleElement().satisfies(sent -> {
            assertThat(sent.recipients()).hasSize(3);
            assertThat(sent.errorMessage()).hasSize(200).startsWith("Message Switch cannot route many@example.com: ")
                .endsWith("...");
        });
    }

    @Test
    void directoryUnavailableSendsTheMailUnchangedToItsProcessor() throws MessagingException {
        directory.setUnavailable(true);
        FakeMail mail = mail("stranger@remote.example.net", "user@mail.example.com");
        String stateBefore = mail.getState();

        messageSwitch.service(mail);

        assertThat(mail.getState()).isEqualTo(Mail.ERROR).as("the default").isNotEqualTo(stateBefore);
        assertThat(recipients(mail)).containsExactly("stranger@remote.example.net", "user@mail.example.com");
        assertThat(mail.getAttribute(RouteAttribute.NAME)).isEmpty();
        assertThat(context.sent()).isEmpty();
    }

    @Test
    void theUnavailableProcessorIsConfigurable() throws MessagingException {
        MessageSwitch configured = initialized(Map.of("unavailableProcessor", "directory-unavailable"));
        directory.setUnavailable(true);
        FakeMail mail = mail("user@mail.example.com");

        configured.service(mail);

        assertThat(mail.getState()).isEqualTo("directory-unavailable");
        assertThat(configured.requiredProcessingState()).extracting(state -> state.getValue()).contains("directory-unavailable");
    }

    @Test
    void routesOfOtherChannelsAreRecordedForTheirComponents() throws MessagingException {
        FakeMail mail = mail("notes@example.com");

        messageSwitch.service(mail);

        assertThat(recipients(mail)).containsExactly("notes@example.com", "staff@example.com");
        assertThat(routes(mail)).containsExactly(
            Map.entry("notes@example.com", "NOTESIN$Peter Chan/Sales/Acme"),
            Map.entry("staff@example.com", "DL$staff@example.com"));
    }

    @Test
    void aRouteToNoOutputChannelSendsTheRecipientToTheErrorProcessor() throws MessagingException {
        FakeMail mail = mail("oldnotes@example.com", "user@example.com");

        messageSwitch.service(mail);

        assertThat(recipients(mail)).containsExactly("user@example.com");
        assertThat(context.sent()).singleElement().satisfies(sent -> assertThat(sent.errorMessage())
            .isEqualTo("Message Switch cannot route oldnotes@example.com: unusable othermailbox "
                + "NOTES$Peter Chan/Sales/Acme names no output channel of this server"));
    }

    @Test
    void disabledEntriesRouteAsAnyOther() throws MessagingException {
        FakeMail mail = mail("gone@example.com");

        messageSwitch.service(mail);

        assertThat(routes(mail)).containsExactly(Map.entry("gone@newjob.example.org", "SMTPC$gone@newjob.example.org"));
    }

    @Test
    void recipientsRoutedByAnEarlierPassAreLeftAlone() throws MessagingException {
        FakeMail mail = mail("peter@ima.net");
        messageSwitch.service(mail);
        long lookups = directory.lookups();

        messageSwitch.service(mail);

        assertThat(directory.lookups()).isEqualTo(lookups);
        assertThat(recipients(mail)).containsExactly("peter@ima.net", "peterchan@otherisp.net");
        assertThat(routes(mail)).hasSize(2);
    }

    @Test
    void routesOfOtherRecipientsAlreadyOnTheMailAreKept() throws MessagingException {
        FakeMail mail = mail("bsmtp@tunnel.example.net", "user@mail.example.com");
        RouteAttribute.write(mail, Map.of(address("bsmtp@tunnel.example.net"), Route.parse("BSMTPOUT$bsmtp@tunnel.example.net")));

        messageSwitch.service(mail);

        assertThat(routes(mail)).containsExactly(
            Map.entry("bsmtp@tunnel.example.net", "BSMTPOUT$bsmtp@tunnel.example.net"),
            Map.entry("user@example.com", "LOCAL$user@example.com"));
    }

    @Test
    void dsnParametersFollowTheRewrittenRecipient() throws MessagingException {
        FakeMail mail = mail("pchan@ima.net", "stranger@remote.example.net");
        DsnParameters.RecipientDsnParameters notify = DsnParameters.RecipientDsnParameters.of(
            EnumSet.of(DsnParameters.Notify.FAILURE), address("pchan@ima.net"));
        DsnParameters.RecipientDsnParameters never = DsnParameters.RecipientDsnParameters.of(
            EnumSet.of(DsnParameters.Notify.NEVER));
        mail.setDsnParameters(DsnParameters.builder()
            .addRcptParameter(address("pchan@ima.net"), notify)
            .addRcptParameter(address("stranger@remote.example.net"), never)
            .build().orElseThrow());

        messageSwitch.service(mail);

        assertThat(mail.dsnParameters().orElseThrow().getRcptParameters()).containsOnly(
            Map.entry(address("peter@ima.net"), notify),
            Map.entry(address("peterchan@otherisp.net"), notify),
            Map.entry(address("stranger@remote.example.net"), never));
    }

    @Nested
    class Configuration {
        @Test
        void errorProcessorDefaultsToError() {
            assertThat(messageSwitch.requiredProcessingState()).containsExactly(new ProcessingState("error"));
        }

        @Test
        void emptyErrorProcessorIsRejected() {
            assertThatThrownBy(() -> initialized(Map.of("errorProcessor", " ")))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("MessageSwitch")
                .hasMessageContaining("errorProcessor");
        }

        @Test
        void unknownParameterIsRejected() {
            assertThatThrownBy(() -> initialized(Map.of("errorprocessor", "error")))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("MessageSwitch")
                .hasMessageContaining("errorprocessor");
        }

        @Test
        void jamesErrorHandlingParametersAreAccepted() throws MessagingException {
            initialized(Map.of("onMailetException", "directory-unavailable", "onMatchException", "error"));
        }

        @Test
        void guiceInjectsTheDirectoryAsJamesMailetLoaderDoes() throws MessagingException {
            MessageSwitch instance = Guice.createInjector(binder -> binder.bind(DirectoryRouting.class)
                    .toInstance(directory))
                .getInstance(MessageSwitch.class);
            instance.init(FakeMailetConfig.builder().mailetName("MessageSwitch").mailetContext(context.context())
                .build());
            FakeMail mail = mail("pchan@ima.net");

            instance.service(mail);

            assertThat(routes(mail)).as("routed from the injected directory")
                .containsEntry("peterchan@otherisp.net", "SMTPC$peterchan@otherisp.net");
        }
    }
}
