package org.switchboard.mailets.lists;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeliveryModeRequestTest {
    @Test
    void theCommandsOfBothStyles() {
        assertThat(DeliveryModeRequest.parse("digest")).contains(DeliveryMode.DIGEST);
        assertThat(DeliveryModeRequest.parse("Immediate")).contains(DeliveryMode.IMMEDIATE);
        assertThat(DeliveryModeRequest.parse("regular")).contains(DeliveryMode.IMMEDIATE);
        assertThat(DeliveryModeRequest.parse("set delivery digest")).contains(DeliveryMode.DIGEST);
        assertThat(DeliveryModeRequest.parse("set  delivery  regular")).contains(DeliveryMode.IMMEDIATE);
        assertThat(DeliveryModeRequest.parse("set digest mime")).contains(DeliveryMode.DIGEST);
        assertThat(DeliveryModeRequest.parse("set digest off")).contains(DeliveryMode.IMMEDIATE);
    }

    @Test
    void otherLinesAreNoDeliveryModeCommand() {
        assertThat(DeliveryModeRequest.parse("set delivery off")).isEmpty();
        assertThat(DeliveryModeRequest.parse("set")).isEmpty();
        assertThat(DeliveryModeRequest.parse("digest please now")).isEmpty();
        assertThat(DeliveryModeRequest.parse("subscribe")).isEmpty();
    }
}
