package org.electrolab.replica.transport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClientAddressesTest {

    @Test
    void remembersTheLatestAddressAndForgetsTheLeastRecentlyHeard() {
        ClientAddresses addresses = new ClientAddresses(2);
        addresses.heard(1, "10.0.0.1", 5000);
        addresses.heard(2, "10.0.0.2", 5000);
        addresses.heard(1, "10.0.0.1", 6000);
        addresses.heard(3, "10.0.0.3", 5000);

        assertThat(addresses.size()).isEqualTo(2);
        assertThat(addresses.of(1)).isEqualTo(new ClientAddresses.Address("10.0.0.1", 6000));
        assertThat(addresses.of(2)).isNull();
        assertThat(addresses.of(3)).isNotNull();
    }
}
