package org.switchboard.server.bsmtp;

/** JMX face of the BSMTP decoder ({@value BsmtpPickupManagement#OBJECT_NAME}). */
public interface BsmtpPickupManagementMBean {
    void start();

    void stop();

    /** Polls every account now and returns the status afterwards. */
    String pollNow() throws Exception;

    /** running/stopped, accounts, counters, each account's last poll. */
    String getStatus();

    long getMessages();

    long getBytes();

    long getTransactions();

    long getRejected();

    long getErrors();
}
