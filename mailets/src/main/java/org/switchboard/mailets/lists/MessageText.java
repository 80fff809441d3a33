package org.switchboard.mailets.lists;

import java.io.IOException;

import javax.mail.BodyPart;
import javax.mail.MessagingException;
import javax.mail.Multipart;
import javax.mail.Part;

/** The text a person wrote in a message, as the list manager reads commands and bounce reports. */
final class MessageText {
    private static final int MAX_BODY_CHARS = 10_000;

    private MessageText() {
    }

    /** The first text/plain part (its first {@value #MAX_BODY_CHARS} characters); empty text when there is none. */
    static String firstText(Part part) throws MessagingException {
        try {
            if (part.isMimeType("text/plain")) {
                Object content = part.getContent();
                String text = content instanceof String string ? string : "";
                return text.length() > MAX_BODY_CHARS ? text.substring(0, MAX_BODY_CHARS) : text;
            }
            if (part.isMimeType("multipart/*") && part.getContent() instanceof Multipart multipart) {
                for (int i = 0; i < multipart.getCount(); i++) {
                    BodyPart child = multipart.getBodyPart(i);
                    String text = firstText(child);
                    if (!text.isEmpty()) {
                        return text;
                    }
                }
            }
            return "";
        } catch (IOException e) {
            return ""; // an unreadable body holds no words
        }
    }
}
