package org.switchboard.server.bsmtp;

import javax.inject.Inject;

/** The BSMTP decoder's JMX face, used by {@code james-cli BsmtpStatus}, {@code BsmtpPollNow}, ... */
public class BsmtpPickupManagement implements BsmtpPickupManagementMBean {
    public static final String OBJECT_NAME = "org.switchboard:type=component,name=bsmtp-decoder";

    private final BsmtpPickup pickup;

    @Inject
    public BsmtpPickupManagement(BsmtpPickup pickup) {
        this.pickup = pickup;
    }

    @Override
    public void start() {
        pickup.start();
    }

    @Override
    public void stop() {
        pickup.stop();
    }

    @Override
    public String pollNow() throws Exception {
        try {
            return pickup.pollNow();
        } catch (Exception e) {
            // JMX clients may not have our exception classes: a plain message travels
            throw new Exception("poll failed: " + e.getMessage());
        }
    }

    @Override
    public String getStatus() {
        return pickup.status();
    }

    @Override
    public long getMessages() {
        return pickup.counters().messages.get();
    }

    @Override
    public long getBytes() {
        return pickup.counters().bytes.get();
    }

    @Override
    public long getTransactions() {
        return pickup.counters().transactions.get();
    }

    @Override
    public long getRejected() {
        return pickup.counters().rejected.get();
    }

    @Override
    public long getErrors() {
        return pickup.counters().errors.get();
    }
}
