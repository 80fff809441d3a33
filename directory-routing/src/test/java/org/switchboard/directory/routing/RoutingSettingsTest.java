package org.switchboard.directory.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class RoutingSettingsTest {

    @Test
    void defaults() {
        RoutingSettings settings = RoutingSettings.defaults();
        assertThat(settings.maxStaleness()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.negativeTtl()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.cacheSize()).isEqualTo(100_000);
        assertThat(settings.aliasTableRefresh()).isEqualTo(settings.maxStaleness());
        assertThat(settings.persistentSearch()).isTrue();
    }

    @Test
    void aliasTableRefreshFollowsMaxStalenessByDefault() {
        RoutingSettings settings = RoutingSettings.ofMaxStaleness(Duration.ofMinutes(2));
        assertThat(settings.aliasTableRefresh()).isEqualTo(Duration.ofMinutes(2));
        assertThat(settings.negativeTtl()).isEqualTo(Duration.ofSeconds(5));
        // a negative TTL never outlives positive answers
        assertThat(RoutingSettings.ofMaxStaleness(Duration.ofSeconds(1)).negativeTtl()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void withers() {
        RoutingSettings settings = RoutingSettings.defaults().withNegativeTtl(Duration.ZERO).withCacheSize(0)
            .withAliasTableRefresh(Duration.ofSeconds(1)).withPersistentSearch(false);
        assertThat(settings.negativeTtl()).isZero();
        assertThat(settings.cacheSize()).isZero();
        assertThat(settings.aliasTableRefresh()).isEqualTo(Duration.ofSeconds(1));
        assertThat(settings.persistentSearch()).isFalse();
        assertThat(settings.maxStaleness()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void refusesOutOfRangeValuesNamingEachSetting() {
        assertThatThrownBy(() -> new RoutingSettings(Duration.ofMillis(10), Duration.ofSeconds(-1), -1,
            Duration.ofDays(2), true))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("maxStaleness PT0.01S must be between 100 ms and 1 day")
            .hasMessageContaining("negativeTtl PT-1S must not be negative")
            .hasMessageContaining("cacheSize -1")
            .hasMessageContaining("aliasTableRefresh PT48H");
    }

    @Test
    void refusesNegativeTtlAboveMaxStaleness() {
        assertThatThrownBy(() -> RoutingSettings.defaults().withNegativeTtl(Duration.ofMinutes(1)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("negativeTtl PT1M must not exceed maxStaleness PT30S");
    }

    @Test
    void refusesMissingValues() {
        assertThatThrownBy(() -> new RoutingSettings(null, null, 10, null, true))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("maxStaleness is required")
            .hasMessageContaining("negativeTtl is required")
            .hasMessageContaining("aliasTableRefresh is required");
    }

    @Test
    void boundsAreInclusive() {
        new RoutingSettings(Duration.ofMillis(100), Duration.ofMillis(100), 0, Duration.ofMillis(100), false);
        new RoutingSettings(Duration.ofDays(1), Duration.ofDays(1), RoutingSettings.MAXIMUM_CACHE_SIZE,
            Duration.ofDays(1), true);
        assertThatThrownBy(() -> RoutingSettings.defaults().withCacheSize(RoutingSettings.MAXIMUM_CACHE_SIZE + 1))
            .hasMessageContaining("cacheSize");
    }
}
