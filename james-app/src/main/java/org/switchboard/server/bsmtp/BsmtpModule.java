package org.switchboard.server.bsmtp;

import java.lang.management.ManagementFactory;
import java.util.List;

import javax.management.ObjectName;

import org.apache.james.mailetcontainer.impl.JamesMailetContext;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;

import com.google.inject.AbstractModule;
import com.google.inject.Scopes;
import com.google.inject.multibindings.ProvidesIntoSet;

/** The BSMTP decoder: configured from {@code conf/bsmtp.xml} once the mailet context (the postmaster) is, and its MBean. */
public class BsmtpModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(BsmtpPickup.class).in(Scopes.SINGLETON);
        bind(BsmtpPickupManagement.class).in(Scopes.SINGLETON);
    }

    @ProvidesIntoSet
    InitializationOperation startDecoder(BsmtpPickup pickup, BsmtpPickupManagement management) {
        return InitilizationOperationBuilder.forClass(BsmtpPickup.class)
            .init(() -> {
                ManagementFactory.getPlatformMBeanServer().registerMBean(management,
                    new ObjectName(BsmtpPickupManagement.OBJECT_NAME));
                pickup.configure();
            })
            .requires(List.of(JamesMailetContext.class));
    }
}
