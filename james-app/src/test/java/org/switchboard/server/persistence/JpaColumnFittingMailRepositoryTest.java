package org.switchboard.server.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import javax.mail.MessagingException;
import javax.persistence.EntityManagerFactory;
import javax.persistence.Persistence;

import org.apache.commons.configuration2.PropertiesConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.mailrepository.jpa.JPAMailRepository;
import org.apache.james.mailrepository.jpa.JPAMailRepositoryUrlStore;
import org.apache.james.mailrepository.memory.MailRepositoryStoreConfiguration;
import org.apache.james.mailrepository.memory.MemoryMailRepositoryStore;
import org.apache.james.modules.mailrepository.guice.GuiceMailRepositoryLoader;
import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.configuration.Configuration;
import org.apache.james.server.core.configuration.FileConfigurationProvider;
import org.apache.james.server.core.filesystem.FileSystemImpl;
import org.apache.james.utils.ExtendedClassLoader;
import org.apache.james.utils.ExtensionConfiguration;
import org.apache.james.utils.GuiceGenericLoader;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.google.inject.Binding;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.spi.Element;
import com.google.inject.spi.Elements;

/** James' JPA mail repository and Switchboard's, on an in-memory Derby database with the server's persistence unit. */
class JpaColumnFittingMailRepositoryTest {
    private static final String DATABASE_URL = "jdbc:derby:memory:mailrepositories";
    private static final String IPV6 = "2001:db8:85a3::8a2e:370:7334";
    private static final String LONG_ERROR = "java.lang.IllegalStateException: " + "the mailet failed; ".repeat(25);

    private static EntityManagerFactory entityManagerFactory;

    @BeforeAll
    static void database() throws Exception {
        System.setProperty("derby.stream.error.file", "target/derby.log");
        PropertiesConfiguration database = new PropertiesConfiguration();
        database.addProperty("database.driverClassName", "org.apache.derby.jdbc.EmbeddedDriver");
        database.addProperty("database.url", DATABASE_URL + ";create=true");
        entityManagerFactory = Persistence.createEntityManagerFactory(JpaPersistenceModule.PERSISTENCE_UNIT,
            JpaPersistenceModule.openJpaProperties(database));
    }

    @AfterAll
    static void close() {
        entityManagerFactory.close();
    }

    private static JPAMailRepository james(String path) throws ConfigurationException {
        return new JPAMailRepository(entityManagerFactory, MailRepositoryUrl.from("jpa://var/mail/" + path + "/"));
    }

    private static JpaColumnFittingMailRepository fitting(String path) throws ConfigurationException {
        return new JpaColumnFittingMailRepository(entityManagerFactory, MailRepositoryUrl.from("jpa://var/mail/" + path + "/"));
    }

    private static MailImpl mail(String name) throws Exception {
        return MailImpl.builder().name(name)
            .sender("sender@example.com")
            .addRecipient("rcpt@example.com")
            .state(Mail.ERROR)
            .remoteHost("mx.example.net")
            .remoteAddr("192.0.2.1")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("hello").setText("body"))
            .build();
    }

    /** The failing mail of the bug report: a 500-character error message, from an IPv6 client. */
    private static MailImpl failedMail(String name) throws Exception {
        MailImpl mail = mail(name);
        mail.setErrorMessage(LONG_ERROR);
        mail.setRemoteAddr(IPV6);
        mail.setAttribute(new Attribute(Mail.MAILET_ERROR, AttributeValue.of("java.lang.IllegalStateException")));
        return mail;
    }

    private static List<MailAddress> recipients(int count) {
        return IntStream.range(0, count)
            .mapToObj(i -> address("recipient" + i + "@example.com"))
            .collect(Collectors.toList());
    }

    private static MailAddress address(String address) {
        try {
            return new MailAddress(address);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static List<MailKey> list(MailRepository repository) throws MessagingException {
        List<MailKey> keys = new java.util.ArrayList<>();
        repository.list().forEachRemaining(keys::add);
        return keys;
    }

    private static String body(Mail mail) throws Exception {
        return new String(mail.getMessage().getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    // --- the bug, in James' repository

    @Test
    void jamesRepositoryRefusesTheFailedMail() throws Exception {
        JPAMailRepository james = james("james-failed");

        assertThatThrownBy(() -> james.store(failedMail("failed"))).isInstanceOf(MessagingException.class);
        assertThat(james.size()).isZero();
    }

    @Test
    void jamesRepositoryRefusesALongErrorMessageAlone() throws Exception {
        JPAMailRepository james = james("james-error");
        MailImpl mail = mail("long-error");
        mail.setErrorMessage("x".repeat(500));

        assertThatThrownBy(() -> james.store(mail)).isInstanceOf(MessagingException.class);
        assertThat(james.size()).isZero();
    }

    @Test
    void jamesRepositoryRefusesAnIpv6RemoteAddressAlone() throws Exception {
        JPAMailRepository james = james("james-ipv6");
        MailImpl mail = mail("ipv6");
        mail.setRemoteAddr(IPV6);

        assertThatThrownBy(() -> james.store(mail)).isInstanceOf(MessagingException.class);
        assertThat(james.size()).isZero();
    }

    @Test
    void jamesRepositoryRefusesTwentyRecipients() throws Exception {
        JPAMailRepository james = james("james-recipients");
        MailImpl mail = mail("recipients");
        mail.setRecipients(recipients(20));

        assertThatThrownBy(() -> james.store(mail)).isInstanceOf(MessagingException.class);
        assertThat(james.size()).isZero();
    }

    @Test
    void columnSizesAreThoseOfTheDatabase() throws Exception {
        fitting("schema").size(); // creates the table
        Map<String, Integer> sizes = new HashMap<>();
        try (Connection connection = DriverManager.getConnection(DATABASE_URL);
             ResultSet columns = connection.getMetaData().getColumns(null, "APP", "JAMES_MAIL_STORE", null)) {
            while (columns.next()) {
                sizes.put(columns.getString("COLUMN_NAME"), columns.getInt("COLUMN_SIZE"));
            }
        }

        assertThat(sizes)
            .containsEntry("REPOSITORY_NAME", JpaColumnFittingMailRepository.REPOSITORY_NAME_LENGTH)
            .containsEntry("MESSAGE_NAME", JpaColumnFittingMailRepository.MESSAGE_NAME_LENGTH)
            .containsEntry("MESSAGE_STATE", JpaColumnFittingMailRepository.MESSAGE_STATE_LENGTH)
            .containsEntry("ERROR_MESSAGE", JpaColumnFittingMailRepository.ERROR_MESSAGE_LENGTH)
            .containsEntry("SENDER", JpaColumnFittingMailRepository.SENDER_LENGTH)
            .containsEntry("RECIPIENTS", JpaColumnFittingMailRepository.RECIPIENTS_LENGTH)
            .containsEntry("REMOTE_HOST", JpaColumnFittingMailRepository.REMOTE_HOST_LENGTH)
            .containsEntry("REMOTE_ADDR", JpaColumnFittingMailRepository.REMOTE_ADDR_LENGTH);
    }

    // --- the fix

    @Test
    void storesTheFailedMail() throws Exception {
        JpaColumnFittingMailRepository repository = fitting("error");
        MailImpl mail = failedMail("failed");

        MailKey key = repository.store(mail);

        assertThat(key).isEqualTo(new MailKey("failed"));
        assertThat(list(repository)).containsExactly(key);
        assertThat(repository.size()).isEqualTo(1);
        Mail stored = repository.retrieve(key);
        assertThat(stored.getName()).isEqualTo("failed");
        assertThat(stored.getErrorMessage())
            .hasSize(JpaColumnFittingMailRepository.ERROR_MESSAGE_LENGTH)
            .isEqualTo(LONG_ERROR.substring(0, 197) + "...");
        assertThat(stored.getAttribute(JpaColumnFittingMailRepository.ERROR_MESSAGE_FULL))
            .contains(new Attribute(JpaColumnFittingMailRepository.ERROR_MESSAGE_FULL, AttributeValue.of(LONG_ERROR)));
        assertThat(stored.getRemoteAddr()).isEqualTo(IPV6);
        assertThat(stored.getAttribute(JpaColumnFittingMailRepository.REMOTE_ADDR_FULL)).isEmpty();
        assertThat(stored.getAttribute(Mail.MAILET_ERROR)).isPresent();
        assertThat(stored.getState()).isEqualTo(Mail.ERROR);
        assertThat(stored.getMaybeSender().asString()).isEqualTo("sender@example.com");
        assertThat(stored.getRecipients()).containsExactly(new MailAddress("rcpt@example.com"));
        assertThat(stored.getRemoteHost()).isEqualTo("mx.example.net");
        assertThat(body(stored)).contains("body");

        repository.remove(key);
        assertThat(list(repository)).isEmpty();
        assertThat(repository.retrieve(key)).isNull();
    }

    @Test
    void leavesTheCallersMailAsItWas() throws Exception {
        MailImpl mail = failedMail("caller");
        mail.setRecipients(recipients(20));

        fitting("caller").store(mail);

        assertThat(mail.getName()).isEqualTo("caller");
        assertThat(mail.getErrorMessage()).isEqualTo(LONG_ERROR);
        assertThat(mail.getRemoteAddr()).isEqualTo(IPV6);
        assertThat(mail.getRecipients()).containsExactlyElementsOf(recipients(20));
        assertThat(mail.attributeNames()).containsExactly(Mail.MAILET_ERROR);
        assertThat(body(mail)).contains("body");
    }

    @Test
    void storesTheRawColumnsShortened() throws Exception {
        fitting("raw").store(failedMail("raw"));

        Mail raw = james("raw").retrieve(new MailKey("raw"));
        assertThat(raw.getRemoteAddr()).hasSize(20).isEqualTo(IPV6.substring(0, 17) + "...");
        assertThat(raw.getAttribute(JpaColumnFittingMailRepository.REMOTE_ADDR_FULL))
            .contains(new Attribute(JpaColumnFittingMailRepository.REMOTE_ADDR_FULL, AttributeValue.of(IPV6)));
    }

    @Test
    void restoresStateSenderRecipientsAndRemoteHost() throws Exception {
        JpaColumnFittingMailRepository repository = fitting("processing");
        MailImpl mail = mail("processing");
        String state = "a-processor-with-a-very-long-name-indeed";
        MailAddress sender = new MailAddress("s".repeat(300) + "@example.com");
        String remoteHost = "h".repeat(300) + ".example.net";
        mail.setState(state);
        mail.setSender(sender);
        mail.setRecipients(recipients(20));
        mail.setRemoteHost(remoteHost);

        MailKey key = repository.store(mail);

        Mail stored = repository.retrieve(key);
        assertThat(stored.getState()).isEqualTo(state);
        assertThat(stored.getMaybeSender().asOptional()).contains(sender);
        assertThat(stored.getRecipients()).containsExactlyElementsOf(recipients(20));
        assertThat(stored.getRemoteHost()).isEqualTo(remoteHost);
        assertThat(stored.attributeNames()).isEmpty();
    }

    @Test
    void storesALongNameUnderAStableFittingKey() throws Exception {
        JpaColumnFittingMailRepository repository = fitting("names");
        String name = "n".repeat(300);

        MailKey key = repository.store(mail(name));
        MailKey again = repository.store(mail(name));

        assertThat(key.asString()).hasSize(JpaColumnFittingMailRepository.MESSAGE_NAME_LENGTH).startsWith("n".repeat(100));
        assertThat(again).isEqualTo(key);
        assertThat(list(repository)).containsExactly(key);
        Mail stored = repository.retrieve(key);
        assertThat(stored.getName()).isEqualTo(key.asString());
        assertThat(stored.getAttribute(JpaColumnFittingMailRepository.NAME_FULL))
            .contains(new Attribute(JpaColumnFittingMailRepository.NAME_FULL, AttributeValue.of(name)));
        repository.remove(List.of(key));
        assertThat(repository.size()).isZero();
    }

    @Test
    void storesAMailThatFitsAsJamesDoes() throws Exception {
        JpaColumnFittingMailRepository repository = fitting("fits");
        MailImpl mail = mail("fits");
        mail.setErrorMessage("550 unknown user");

        repository.store(mail);

        Mail stored = repository.retrieve(new MailKey("fits"));
        assertThat(stored.getErrorMessage()).isEqualTo("550 unknown user");
        assertThat(stored.getRemoteAddr()).isEqualTo("192.0.2.1");
        assertThat(stored.attributeNames()).isEmpty();
        repository.removeAll();
        assertThat(repository.size()).isZero();
    }

    @Test
    void theFullErrorMessageFollowsTheMailAndLeavesWithItsErrorMessage() throws Exception {
        JpaColumnFittingMailRepository first = fitting("first");
        first.store(failedMail("moved"));
        Mail retrieved = first.retrieve(new MailKey("moved"));

        // stored again as it was retrieved (an administrator moving it): the full text stays
        fitting("second").store(retrieved);
        assertThat(fitting("second").retrieve(new MailKey("moved")).getAttribute(JpaColumnFittingMailRepository.ERROR_MESSAGE_FULL))
            .contains(new Attribute(JpaColumnFittingMailRepository.ERROR_MESSAGE_FULL, AttributeValue.of(LONG_ERROR)));

        // reprocessed and failed again with another message: the old full text is not kept
        retrieved.setErrorMessage("another failure");
        fitting("third").store(retrieved);
        Mail third = fitting("third").retrieve(new MailKey("moved"));
        assertThat(third.getErrorMessage()).isEqualTo("another failure");
        assertThat(third.getAttribute(JpaColumnFittingMailRepository.ERROR_MESSAGE_FULL)).isEmpty();
    }

    @Test
    void storesAMailWithoutRemoteAddressOrState() throws Exception {
        JpaColumnFittingMailRepository repository = fitting("missing");
        MailImpl mail = mail("missing");
        mail.setRemoteAddr(null);
        mail.setRemoteHost(null);
        mail.setState(null);

        repository.store(mail);

        Mail stored = repository.retrieve(new MailKey("missing"));
        assertThat(stored.getRemoteAddr()).isEqualTo(JpaColumnFittingMailRepository.UNKNOWN_REMOTE_ADDR);
        assertThat(stored.getRemoteHost()).isEqualTo(JpaColumnFittingMailRepository.UNKNOWN_REMOTE_HOST);
        assertThat(stored.getState()).isEqualTo(Mail.DEFAULT);
    }

    @Test
    void refusesARepositoryPathLongerThanItsColumn() {
        assertThatThrownBy(() -> fitting("p".repeat(300)))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("longer than 255");
    }

    @Test
    void shortensWithoutSplittingACharacter() {
        String emoji = "\uD83D\uDCE7";
        assertThat(JpaColumnFittingMailRepository.shorten("ab" + emoji + "cdefgh", 6)).isEqualTo("ab...");
        assertThat(JpaColumnFittingMailRepository.shorten("abcdef", 6)).isEqualTo("abcdef");
        assertThat(JpaColumnFittingMailRepository.shorten(null, 6)).isNull();
    }

    // --- the server's wiring: James' store and loader, the shipped conf/mailrepositorystore.xml

    @Test
    void theServerStoreGivesColumnFittingRepositories() throws Exception {
        Configuration.Basic configuration = Configuration.builder().workingDirectory(new File("..")).build();
        FileSystem fileSystem = new FileSystemImpl(configuration.directories());
        MailRepositoryStoreConfiguration shipped = MailRepositoryStoreConfiguration.parse(
            new FileConfigurationProvider(fileSystem, configuration).getConfiguration("mailrepositorystore"));
        MailRepositoryStoreConfiguration namingJamesClass = MailRepositoryStoreConfiguration.parse(FileConfigurationProvider.getConfig(
            new ByteArrayInputStream(("<mailrepositorystore><mailrepositories>"
                + "<mailrepository class=\"org.apache.james.mailrepository.jpa.JPAMailRepository\">"
                + "<protocols><protocol>jpa</protocol></protocols></mailrepository>"
                + "</mailrepositories></mailrepositorystore>").getBytes(StandardCharsets.UTF_8))));

        for (MailRepositoryStoreConfiguration storeConfiguration : List.of(shipped, namingJamesClass)) {
            MemoryMailRepositoryStore store = store(fileSystem, storeConfiguration);

            MailRepository error = store.select(MailRepositoryUrl.from("jpa://var/mail/error/"));

            assertThat(error).isInstanceOf(JpaColumnFittingMailRepository.class);
            MailKey key = error.store(failedMail("through-the-store"));
            assertThat(error.retrieve(key).getRemoteAddr()).isEqualTo(IPV6);
            error.remove(key);
        }
    }

    private static MemoryMailRepositoryStore store(FileSystem fileSystem, MailRepositoryStoreConfiguration configuration) throws Exception {
        List<Element> jpaMailRepositoryBinding = Elements.getElements(new JpaPersistenceModule()).stream()
            .filter(element -> element instanceof Binding
                && ((Binding<?>) element).getKey().equals(Key.get(JPAMailRepository.class)))
            .collect(Collectors.toList());
        assertThat(jpaMailRepositoryBinding).hasSize(1);
        Injector injector = Guice.createInjector(
            binder -> binder.bind(EntityManagerFactory.class).toInstance(entityManagerFactory),
            Elements.getModule(jpaMailRepositoryBinding));
        GuiceMailRepositoryLoader loader = new GuiceMailRepositoryLoader(
            new GuiceGenericLoader(injector, new ExtendedClassLoader(fileSystem), ExtensionConfiguration.DEFAULT));
        MemoryMailRepositoryStore store = new MemoryMailRepositoryStore(new JPAMailRepositoryUrlStore(entityManagerFactory), loader, configuration);
        store.init();
        return store;
    }
}
