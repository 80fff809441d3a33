package org.switchboard.server.mailetcontainer;

import java.util.List;

import org.apache.james.domainlist.jpa.JPADomainList;
import org.apache.james.mailetcontainer.impl.JamesMailetContext;
import org.apache.james.rrt.jpa.JPARecipientRewriteTable;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;
import org.switchboard.server.directory.DirectoryUsersRepository;

import com.google.inject.AbstractModule;
import com.google.inject.Scopes;
import com.google.inject.multibindings.ProvidesIntoSet;

/**
 * Replaces James' mailet context by {@link DirectoryDomainPostmaster} (overrides James' mailet container module) and
 * checks, once domains, users and aliases are configured, that the postmaster has a mailbox.
 */
public class PostmasterModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(DirectoryDomainPostmaster.class).in(Scopes.SINGLETON);
        bind(JamesMailetContext.class).to(DirectoryDomainPostmaster.class);
    }

    @ProvidesIntoSet
    InitializationOperation checkPostmasterMailbox(PostmasterMailboxCheck check) {
        return InitilizationOperationBuilder.forClass(PostmasterMailboxCheck.class)
            .init(check::check)
            .requires(List.of(JamesMailetContext.class, JPADomainList.class, DirectoryUsersRepository.class,
                JPARecipientRewriteTable.class));
    }
}
