package org.switchboard.server;

import java.io.IOException;
import java.nio.file.Path;

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
import org.switchboard.server.directory.DirectoryConnection;
import org.switchboard.server.directory.DirectoryModule;
import org.switchboard.server.jmx.LoopbackRmiSockets;
import org.switchboard.server.mailbox.MailboxStoreKind;
import org.switchboard.server.mailetcontainer.PostmasterModule;
import org.switchboard.server.persistence.JpaPersistenceModule;
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

    static final Module PROTOCOLS = Modules.combine(
        new ProtocolHandlerModule(),
        new SMTPServerModule(),
        new LMTPServerModule(),
        new IMAPServerModule(),
        new POP3ServerModule(),
        new ManageSieveServerModule());

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
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        GuiceJamesServer server = null;
        DirectoryConnection directory = null;
        try {
            ExtraProperties.initialize();
            Configuration configuration = Configuration.builder().useWorkingDirectoryEnvProperty().build();
            Path confDirectory = Path.of(configuration.directories().getConfDirectory());
            SelfSignedCertificateBootstrap.ensureExists(confDirectory);
            LoopbackRmiSockets.installFor(confDirectory);
            // the directory comes first and goes last: every login, domain and route needs it
            directory = DirectoryConnection.open(Path.of(configuration.directories().getRootDirectory()), confDirectory);
            server = createServer(configuration, directory).overrideWith(new RunArgumentsModule(args));
            server.start();
            GuiceJamesServer started = server;
            DirectoryConnection startedDirectory = directory;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                started.stop();
                startedDirectory.close();
            }, "switchboard-shutdown"));
            LOGGER.info("Switchboard started");
        } catch (Throwable e) {
            // Some components (listeners, broker threads) keep the JVM alive after a failed start: exit explicitly.
            LOGGER.error("Switchboard failed to start", e);
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
     * James over Switchboard's storage (the message store of {@code conf/mailbox.properties}), with users, domains'
     * branches and routing data from the directory; the postmaster at the directory's domain.
     */
    public static GuiceJamesServer createServer(Configuration configuration, DirectoryConnection directory) throws IOException {
        Module messageStore = MailboxStoreKind.configuredIn(Path.of(configuration.directories().getConfDirectory())).module();
        return GuiceJamesServer.forConfiguration(configuration)
            .combineWith(CORE, PROTOCOLS, WEBADMIN, new JMXServerModule())
            .combineWith(Modules.override(STORAGE, messageStore).with(new DirectoryModule(directory)))
            .overrideWith(new PostmasterModule());
    }
}
