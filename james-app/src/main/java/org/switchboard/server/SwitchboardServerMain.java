package org.switchboard.server;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;

import org.apache.james.ExtraProperties;
import org.apache.james.GuiceJamesServer;
import org.apache.james.modules.MailboxModule;
import org.apache.james.modules.MailetProcessingModule;
import org.apache.james.modules.RunArgumentsModule;
import org.apache.james.NaiveDelegationStoreModule;
import org.apache.james.modules.mailbox.DefaultEventModule;
import org.apache.james.modules.mailbox.MemoryDeadLetterModule;
import org.apache.james.modules.protocols.IMAPServerModule;
import org.apache.james.modules.protocols.LMTPServerModule;
import org.apache.james.modules.protocols.ManageSieveServerModule;
import org.apache.james.modules.protocols.POP3ServerModule;
import org.apache.james.modules.protocols.ProtocolHandlerModule;
import org.apache.james.modules.protocols.SMTPServerModule;
import org.apache.james.modules.server.DataRoutesModules;
import org.apache.james.modules.server.DefaultProcessorsConfigurationProviderModule;
import org.apache.james.modules.server.InconsistencyQuotasSolvingRoutesModule;
import org.apache.james.modules.server.JMXServerModule;
import org.apache.james.modules.server.MailQueueRoutesModule;
import org.apache.james.modules.server.MailRepositoriesRoutesModule;
import org.apache.james.modules.server.MailboxRoutesModule;
import org.apache.james.modules.server.NoJwtModule;
import org.apache.james.modules.server.ReIndexingModule;
import org.apache.james.modules.server.SieveRoutesModule;
import org.apache.james.modules.server.TaskManagerModule;
import org.apache.james.modules.server.WebAdminReIndexingTaskSerializationModule;
import org.apache.james.modules.server.WebAdminServerModule;
import org.apache.james.server.core.configuration.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import org.switchboard.server.bsmtp.BsmtpModule;
import org.switchboard.server.directory.DirectoryConnection;
import org.switchboard.server.directory.DirectoryModule;
import org.switchboard.server.imap.OrderedImapWritesModule;
import org.switchboard.server.jmx.LoopbackRmiSockets;
import org.switchboard.server.lists.ListsModule;
import org.switchboard.server.mailbox.MailboxStoreKind;
import org.switchboard.server.mailetcontainer.PostmasterModule;
import org.switchboard.server.persistence.JpaPersistenceModule;
import org.switchboard.server.smtpc.SmtpcModule;
import org.switchboard.server.spool.SpoolModule;
import org.switchboard.server.tls.SelfSignedCertificateBootstrap;

import com.google.inject.Module;
import com.google.inject.util.Modules;

/**
 * Starts Switchboard: James' mail container, protocols and administration over Switchboard's own storage wiring
 * (RocksDB message store and spool, JPA on embedded Derby). The working directory comes from {@code -Dworking.directory};
 * configuration is read from its {@code conf/} folder and data kept under its {@code var/} folder.
 */
public final class SwitchboardServerMain {
    private static final Logger LOGGER = LoggerFactory.getLogger(SwitchboardServerMain.class);
    private static final String EXIT_ON_STARTUP_ERROR = "james.exit.on.startup.error";

    static final Module PROTOCOLS = Modules.combine(
        new ProtocolHandlerModule(),
        new SMTPServerModule(),
        new LMTPServerModule(),
        Modules.override(new IMAPServerModule()).with(new OrderedImapWritesModule()),
        new POP3ServerModule(),
        new ManageSieveServerModule(),
        new ProtocolListeners.Module());

    static final Module WEBADMIN = Modules.combine(
        new WebAdminServerModule(),
        new NoJwtModule(),
        new DataRoutesModules(),
        new MailboxRoutesModule(),
        new InconsistencyQuotasSolvingRoutesModule(),
        new MailQueueRoutesModule(),
        new MailRepositoriesRoutesModule(),
        new ReIndexingModule(),
        new WebAdminReIndexingTaskSerializationModule(),
        new SieveRoutesModule());

    /** Storage but the message store, which {@code conf/mailbox.properties} chooses ({@link MailboxStoreKind}). */
    static final Module STORAGE = Modules.combine(
        new JpaPersistenceModule(),
        new SpoolModule());

    static final Module CORE = Modules.combine(
        new MailetProcessingModule(),
        new DefaultProcessorsConfigurationProviderModule(),
        new MailboxModule(),
        new DefaultEventModule(),
        new MemoryDeadLetterModule(),
        new NaiveDelegationStoreModule(),
        new TaskManagerModule());

    private SwitchboardServerMain() {
    }

    public static void main(String[] args) {
        // James' start throws its error back here instead of ending the JVM: what started is stopped, and a directory
        // that did not start is reported as such (read by GuiceJamesServer when the class initialises, below)
        System.setProperty(EXIT_ON_STARTUP_ERROR, "false");
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        GuiceJamesServer server = null;
        DirectoryConnection directory = null;
        try {
            ExtraProperties.initialize();
            cheapTransientKeyStores();
            Configuration configuration = Configuration.builder().useWorkingDirectoryEnvProperty().build();
            Path confDirectory = Path.of(configuration.directories().getConfDirectory());
            SelfSignedCertificateBootstrap.ensureExists(confDirectory);
            LoopbackRmiSockets.installFor(confDirectory);
            // the directory starts first and stops last: every login, domain and route needs it. It starts beside
            // James' own initialisation; whatever connects to it waits for it, and James' start-up checks wait for
            // it before any listener opens (DirectoryStartedCheck)
            directory = DirectoryConnection.startInBackground(Path.of(configuration.directories().getRootDirectory()),
                confDirectory);
            server = createServer(configuration, directory).overrideWith(new RunArgumentsModule(args));
            server.start();
            directory.awaitStarted();
            GuiceJamesServer started = server;
            DirectoryConnection startedDirectory = directory;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                started.getProbe(ProtocolListeners.class).closeAllAtOnce();
                started.stop();
                startedDirectory.close();
            }, "switchboard-shutdown"));
            LOGGER.info("Switchboard started in {} ms", ManagementFactory.getRuntimeMXBean().getUptime());
        } catch (Throwable e) {
            // Some components (listeners, broker threads) keep the JVM alive after a failed start: exit explicitly.
            // A directory that did not start is the reason the rest failed: its error is the one reported
            Throwable reason = directory == null ? e : directory.startFailure().orElse(e);
            LOGGER.error("Switchboard failed to start", reason);
            if (server != null) {
                try {
                    server.stop();
                } catch (Throwable stopFailure) {
                    LOGGER.warn("Error while stopping after a failed start", stopFailure);
                }
            }
            if (directory != null) {
                directory.close();
            }
            System.exit(1);
        }
    }

    /**
     * James builds an in-memory PKCS#12 key store from {@code conf/tls/}'s PEM files for each TLS listener (and the
     * directory one, in a file it deletes once read), encrypting the private key and the certificate with 10,000
     * PBKDF2 rounds each and decrypting them again: most of a second of CPU at every start, guarding a copy of a key
     * that sits unencrypted in {@code conf/tls/private.key}. Key stores this JVM creates use one round unless the administrator set the
     * properties ({@code conf/jvm.properties} or {@code JAVA_OPTS}); key stores it reads keep their own settings.
     */
    private static void cheapTransientKeyStores() {
        for (String property : List.of("keystore.pkcs12.keyPbeIterationCount", "keystore.pkcs12.certPbeIterationCount",
            "keystore.pkcs12.macIterationCount")) {
            if (System.getProperty(property) == null) {
                System.setProperty(property, "1");
            }
        }
    }

    /**
     * James over Switchboard's storage (the message store of {@code conf/mailbox.properties}), with users, domains'
     * branches and routing data from the directory; the postmaster at the directory's domain.
     */
    public static GuiceJamesServer createServer(Configuration configuration, DirectoryConnection directory) throws IOException {
        Module messageStore = MailboxStoreKind.configuredIn(Path.of(configuration.directories().getConfDirectory())).module();
        return GuiceJamesServer.forConfiguration(configuration)
            .combineWith(CORE, PROTOCOLS, WEBADMIN, new JMXServerModule(), new ListsModule(), new BsmtpModule(),
                new SmtpcModule())
            .combineWith(Modules.override(STORAGE, messageStore).with(new DirectoryModule(directory)))
            .overrideWith(new PostmasterModule());
    }
}
