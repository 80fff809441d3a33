package org.switchboard.server.mailetcontainer;

import javax.inject.Inject;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.mailetcontainer.api.LocalResources;
import org.apache.james.mailetcontainer.impl.JamesMailetContext;
import org.apache.james.queue.api.MailQueueFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.server.directory.DirectoryConnection;

/**
 * James' mailet context with one rule for the postmaster, the address every notice goes to: {@code <postmaster>} of
 * {@code mailetcontainer.xml} when it is a whole address, else that name (James' default: {@code postmaster}) at the
 * {@code <domain>} of {@code conf/directory.xml}. James itself appends the first domain its domain list returns that
 * is not {@code localhost}, or {@code localhost} when there is none yet: the postmaster would change between the
 * first start and the next, and with the order of the domains.
 */
public class DirectoryDomainPostmaster extends JamesMailetContext {
    private static final Logger LOGGER = LoggerFactory.getLogger(DirectoryDomainPostmaster.class);
    private static final String POSTMASTER = "postmaster";

    private final String directoryDomain;

    @Inject
    public DirectoryDomainPostmaster(DNSService dns, DomainList domains, LocalResources localResources,
                                     MailQueueFactory<?> mailQueueFactory, DirectoryConnection directory) {
        super(dns, domains, localResources, mailQueueFactory);
        this.directoryDomain = directory.configuration().domain();
    }

    @Override
    public void configure(HierarchicalConfiguration<ImmutableNode> config) throws ConfigurationException {
        super.configure(withPostmasterDomain(config, directoryDomain));
        LOGGER.info("The postmaster (notices, mail to postmaster@ a local domain) is {}", getPostmaster().asString());
    }

    /** The context configuration with {@code <postmaster>} completed by the domain, if it has no domain part. */
    static HierarchicalConfiguration<ImmutableNode> withPostmasterDomain(HierarchicalConfiguration<ImmutableNode> config,
                                                                         String domain) {
        String postmaster = config.getString(POSTMASTER, POSTMASTER).trim();
        if (postmaster.contains("@")) {
            return config;
        }
        BaseHierarchicalConfiguration completed = new BaseHierarchicalConfiguration(config);
        completed.setProperty(POSTMASTER, postmaster + "@" + domain);
        return completed;
    }
}
