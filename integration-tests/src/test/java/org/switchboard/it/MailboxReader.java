package org.switchboard.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.Store;

/** Reads a user's INBOX over IMAP with STARTTLS, trusting the server's self-signed certificate. */
public final class MailboxReader {
    private MailboxReader() {
    }

    public static Store connect(int imapPort, String user, String password) throws MessagingException {
        Properties properties = new Properties();
        properties.put("mail.imap.starttls.enable", "true");
        properties.put("mail.imap.starttls.required", "true");
        properties.put("mail.imap.ssl.trust", "*");
        properties.put("mail.imap.connectiontimeout", "10000");
        properties.put("mail.imap.timeout", "60000");
        Store store = Session.getInstance(properties).getStore("imap");
        store.connect("127.0.0.1", imapPort, user, password);
        return store;
    }

    /** The Subject of every message in INBOX, in mailbox order. */
    public static List<String> subjects(int imapPort, String user, String password) throws MessagingException {
        Store store = connect(imapPort, user, password);
        try {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            try {
                Message[] messages = inbox.getMessages();
                javax.mail.FetchProfile profile = new javax.mail.FetchProfile();
                profile.add(javax.mail.FetchProfile.Item.ENVELOPE);
                inbox.fetch(messages, profile);
                List<String> subjects = new ArrayList<>();
                for (Message message : messages) {
                    subjects.add(message.getSubject());
                }
                return subjects;
            } finally {
                inbox.close(false);
            }
        } finally {
            store.close();
        }
    }
}
