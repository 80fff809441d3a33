package org.switchboard.server.lists;

import java.util.List;

/**
 * JMX operations on what the list manager does beside posting ({@value ListPolicyManagement#OBJECT_NAME}): bounce
 * scores of members ({@code james-cli ListBounceScores}, {@code ResetListBounces}) and posts held for moderation
 * ({@code ListHeldPosts}).
 */
public interface ListPolicyManagementMBean {

    /** One line per member with bounces: address, score, day of the last counted bounce, disabled or not. */
    List<String> bounceScores(String list) throws Exception;

    /** Forgets the member's bounces: its delivery is enabled again. */
    void resetBounces(String list, String member) throws Exception;

    /** One line per post held for moderation on that list: token, sender, subject. */
    List<String> heldPosts(String list) throws Exception;
}
