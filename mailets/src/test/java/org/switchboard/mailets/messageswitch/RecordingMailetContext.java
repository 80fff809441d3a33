package org.switchboard.mailets.messageswitch;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.apache.mailet.base.test.FakeMailContext;

/**
 * James' {@link FakeMailContext} with the domains this server serves and a record of the mails sent to other
 * processors, error message included (FakeMailContext keeps neither).
 */
final class RecordingMailetContext {
    record Sent(Collection<MailAddress> recipients, String state, String errorMessage) {
    }

    private final Set<Domain> servedDomains;
    private final List<Sent> sent = new ArrayList<>();
    private final MailetContext context;

    RecordingMailetContext(String... servedDomains) {
        this.servedDomains = Set.copyOf(java.util.Arrays.stream(servedDomains).map(Domain::of).toList());
        FakeMailContext delegate = FakeMailContext.defaultContext();
        this.context = (MailetContext) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {MailetContext.class}, (proxy, method, args) -> {
                if (method.getName().equals("isLocalServer") && args.length == 1) {
                    return this.servedDomains.contains((Domain) args[0]);
                }
                if (method.getName().equals("sendMail") && args.length == 2 && args[0] instanceof Mail mail
                    && args[1] instanceof String state) {
                    sent.add(new Sent(List.copyOf(mail.getRecipients()), state, mail.getErrorMessage()));
                }
                try {
                    return method.invoke(delegate, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
    }

    MailetContext context() {
        return context;
    }

    List<Sent> sent() {
        return sent;
    }
}
