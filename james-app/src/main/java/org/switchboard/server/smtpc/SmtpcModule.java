package org.switchboard.server.smtpc;

import java.lang.management.ManagementFactory;
import java.util.List;

import javax.management.ObjectName;

import org.apache.james.dnsservice.dnsjava.DNSJavaService;
import org.apache.james.mailetcontainer.impl.JamesMailetContext;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;
import org.apache.james.webadmin.Routes;

import com.google.inject.AbstractModule;
import com.google.inject.Scopes;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;

/**
 * SMTPC: the delivery service, started once James' DNS (dnsjava's default resolver) and mailet context are ready,
 * and its JMX and WebAdmin views.
 */
public class SmtpcModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(SmtpcService.class).in(Scopes.SINGLETON);
        bind(SmtpcManagement.class).in(Scopes.SINGLETON);
        Multibinder.newSetBinder(binder(), Routes.class).addBinding().to(SmtpcRoutes.class);
    }

    @ProvidesIntoSet
    InitializationOperation startSmtpc(SmtpcService smtpc, SmtpcManagement management) {
        return InitilizationOperationBuilder.forClass(SmtpcService.class)
            .init(() -> {
                smtpc.start();
                ManagementFactory.getPlatformMBeanServer().registerMBean(management, new ObjectName(SmtpcManagement.OBJECT_NAME));
            })
            .requires(List.of(DNSJavaService.class, JamesMailetContext.class));
    }
}
