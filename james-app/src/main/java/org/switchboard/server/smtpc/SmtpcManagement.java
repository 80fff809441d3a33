package org.switchboard.server.smtpc;

import java.util.List;

import javax.inject.Inject;

/** The JMX view of SMTPC: channel states, flushes, and why a mail is still queued. */
public class SmtpcManagement implements SmtpcManagementMBean {
    public static final String OBJECT_NAME = "org.switchboard:type=smtpc";

    private final SmtpcService smtpc;

    @Inject
    public SmtpcManagement(SmtpcService smtpc) {
        this.smtpc = smtpc;
    }

    @Override
    public List<String> getChannels() {
        return smtpc.channels();
    }

    @Override
    public int flush(String domain) {
        return smtpc.flush(domain);
    }

    @Override
    public int flushAll() {
        return smtpc.flushAll();
    }

    @Override
    public String whyQueued(String mailName) {
        return smtpc.queuedMail(mailName).map(QueuedMailState::explain).orElse("mail " + mailName + " is not in SMTPC's queue (delivered, bounced, "
            + "or not yet handed to SMTPC)");
    }
}
