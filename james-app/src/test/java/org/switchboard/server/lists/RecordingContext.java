package org.switchboard.server.lists;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.apache.mailet.base.test.FakeMailContext;
import org.switchboard.pipeline.Channel;
import org.switchboard.pipeline.InputChannel;

/**
 * James' {@link FakeMailContext}, recording each mail a mailet sends as it was at that moment (the mailet disposes
 * its copies right after): envelope, processor ({@code root} for a new message), error message, input channel and
 * message text.
 */
final class RecordingContext {
    record Sent(Optional<MailAddress> sender, Collection<MailAddress> recipients, String state, String errorMessage,
                Optional<Channel> inputChannel, String text) {
    }

    private final List<Sent> sent = new ArrayList<>();
    private final MailetContext context;

    RecordingContext() {
        FakeMailContext delegate = FakeMailContext.defaultContext();
        this.context = (MailetContext) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {MailetContext.class}, (proxy, method, args) -> {
                if (method.getName().equals("sendMail") && args.length == 1 && args[0] instanceof Mail mail) {
                    ByteArrayOutputStream text = new ByteArrayOutputStream();
                    mail.getMessage().writeTo(text);
                    sent.add(new Sent(mail.getMaybeSender().asOptional(), List.copyOf(mail.getRecipients()), "root",
                        mail.getErrorMessage(), InputChannel.of(mail), text.toString(StandardCharsets.UTF_8)));
                    return null;
                }
                if (method.getName().equals("sendMail") && args.length == 2 && args[0] instanceof Mail mail
                    && args[1] instanceof String state) {
                    ByteArrayOutputStream text = new ByteArrayOutputStream();
                    mail.getMessage().writeTo(text);
                    sent.add(new Sent(mail.getMaybeSender().asOptional(), List.copyOf(mail.getRecipients()), state,
                        mail.getErrorMessage(), InputChannel.of(mail), text.toString(StandardCharsets.UTF_8)));
                    return null;
                }
                if (method.getName().equals("sendMail") && args.length == 3 && args[2] instanceof MimeMessage message) {
                    ByteArrayOutputStream text = new ByteArrayOutputStream();
                    message.writeTo(text);
                    @SuppressWarnings("unchecked")
                    Collection<MailAddress> recipients = (Collection<MailAddress>) args[1];
                    sent.add(new Sent(Optional.ofNullable((MailAddress) args[0]), List.copyOf(recipients), "root",
                        null, Optional.empty(), text.toString(StandardCharsets.UTF_8)));
                    return null;
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
