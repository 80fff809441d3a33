package org.switchboard.server.smtpc;

import java.util.List;

/** SMTPC over JMX ({@value SmtpcManagement#OBJECT_NAME}). */
public interface SmtpcManagementMBean {
    /** Each domain channel: held or active, pending, deferred and held counts, next run, last peer, last error. */
    List<String> getChannels();

    /** Makes a domain's held and deferred mail due now; returns how many mails. */
    int flush(String domain);

    /** Makes all held and deferred mail due now; returns how many mails. */
    int flushAll();

    /** Why a queued mail (by name) is still there: weight and its terms, state, last reply, next attempt, expiry. */
    String whyQueued(String mailName);
}
