package dev.tandem.p2p.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.p2p.wire.WireException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class NoiseXXTest {

  @Test
  void handshakeAgreesOnKeysAndPayloads() {
    byte[] si = NoiseXX.generateStaticKey();
    byte[] sr = NoiseXX.generateStaticKey();
    NoiseXX i = new NoiseXX(true, si);
    NoiseXX r = new NoiseXX(false, sr);
    r.readMessageA(i.writeMessageA(new byte[0]));
    assertThat(i.readMessageB(r.writeMessageB("resp".getBytes()))).isEqualTo("resp".getBytes());
    assertThat(r.readMessageC(i.writeMessageC("init".getBytes()))).isEqualTo("init".getBytes());
    assertThat(i.remoteStaticKey()).isEqualTo(r.staticPublicKey());
    assertThat(r.remoteStaticKey()).isEqualTo(i.staticPublicKey());

    NoiseXX.Split a = i.split();
    NoiseXX.Split b = r.split();
    byte[] ct = a.send().encrypt(new byte[0], "hi".getBytes(), 0, 2);
    assertThat(b.receive().decrypt(new byte[0], ct, 0, ct.length)).isEqualTo("hi".getBytes());
    byte[] ct2 = b.send().encrypt(new byte[0], "yo".getBytes(), 0, 2);
    assertThat(a.receive().decrypt(new byte[0], ct2, 0, ct2.length)).isEqualTo("yo".getBytes());
  }

  @Test
  void tamperedOrShortMessagesFail() {
    NoiseXX i = new NoiseXX(true, NoiseXX.generateStaticKey());
    NoiseXX r = new NoiseXX(false, NoiseXX.generateStaticKey());
    r.readMessageA(i.writeMessageA(new byte[0]));
    byte[] b = r.writeMessageB("x".getBytes());
    byte[] tampered = b.clone();
    tampered[40] ^= 1;
    assertThatThrownBy(() -> i.readMessageB(tampered)).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> new NoiseXX(true, NoiseXX.generateStaticKey()).readMessageB(Arrays.copyOf(b, 50)))
        .isInstanceOf(WireException.class).hasMessageContaining("too short");
    assertThatThrownBy(() -> new NoiseXX(false, NoiseXX.generateStaticKey()).readMessageA(new byte[5]))
        .isInstanceOf(WireException.class);
  }

  @Test
  void replayedTransportFrameFails() {
    NoiseXX i = new NoiseXX(true, NoiseXX.generateStaticKey());
    NoiseXX r = new NoiseXX(false, NoiseXX.generateStaticKey());
    r.readMessageA(i.writeMessageA(new byte[0]));
    i.readMessageB(r.writeMessageB(new byte[0]));
    r.readMessageC(i.writeMessageC(new byte[0]));
    CipherState send = i.split().send();
    CipherState recv = r.split().receive();
    byte[] ct = send.encrypt(new byte[0], new byte[10], 0, 10);
    recv.decrypt(new byte[0], ct, 0, ct.length);
    assertThatThrownBy(() -> recv.decrypt(new byte[0], ct, 0, ct.length)).isInstanceOf(WireException.class);
  }
}
