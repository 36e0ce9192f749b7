// The baseline a JavaScript user writes without this package: the formula as plain loops,
// start = floor(o * in / out), end = ceil((o + 1) * in / out), no tricks. Tensors are logical
// [N, C, D, H, W] (missing axes are 1) in channels-first or channels-last memory order.

// Element strides of n, c, d, h, w in a tensor of sizes [N, C, D, H, W].
function strides(last, C, D, H, W) {
  return last ? [D * H * W * C, 1, H * W * C, W * C, C] : [C * D * H * W, D * H * W, H * W, W, 1];
}

export function naiveForward(op, last, x, N, C, inSize, outSize, y, indices) {
  const [ID, IH, IW] = inSize;
  const [OD, OH, OW] = outSize;
  const [sn, sc, sd, sh, sw] = strides(last, C, ID, IH, IW);
  const [tn, tc, td, th, tw] = strides(last, C, OD, OH, OW);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let od = 0; od < OD; od++) {
        const d0 = Math.floor((od * ID) / OD),
          d1 = Math.ceil(((od + 1) * ID) / OD);
        for (let oh = 0; oh < OH; oh++) {
          const h0 = Math.floor((oh * IH) / OH),
            h1 = Math.ceil(((oh + 1) * IH) / OH);
          for (let ow = 0; ow < OW; ow++) {
            const w0 = Math.floor((ow * IW) / OW),
              w1 = Math.ceil(((ow + 1) * IW) / OW);
            if (op === 'avg') {
              let sum = 0;
              for (let d = d0; d < d1; d++)
                for (let h = h0; h < h1; h++)
                  for (let w = w0; w < w1; w++)
                    sum += x[n * sn + c * sc + d * sd + h * sh + w * sw];
              y[n * tn + c * tc + od * td + oh * th + ow * tw] =
                sum / ((d1 - d0) * (h1 - h0) * (w1 - w0));
            } else {
              let best = -Infinity,
                bestAt = (d0 * IH + h0) * IW + w0;
              for (let d = d0; d < d1; d++)
                for (let h = h0; h < h1; h++)
                  for (let w = w0; w < w1; w++) {
                    const v = x[n * sn + c * sc + d * sd + h * sh + w * sw];
                    if (v > best || Number.isNaN(v)) {
                      best = v;
                      bestAt = (d * IH + h) * IW + w;
                    }
                  }
              const o = n * tn + c * tc + od * td + oh * th + ow * tw;
              y[o] = best;
              indices[o] = bestAt;
            }
          }
        }
      }
    }
  }
}

export function naiveBackward(op, last, gy, indices, N, C, inSize, outSize, gx) {
  const [ID, IH, IW] = inSize;
  const [OD, OH, OW] = outSize;
  const [sn, sc, sd, sh, sw] = strides(last, C, ID, IH, IW);
  const [tn, tc, td, th, tw] = strides(last, C, OD, OH, OW);
  gx.fill(0);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let od = 0; od < OD; od++) {
        const d0 = Math.floor((od * ID) / OD),
          d1 = Math.ceil(((od + 1) * ID) / OD);
        for (let oh = 0; oh < OH; oh++) {
          const h0 = Math.floor((oh * IH) / OH),
            h1 = Math.ceil(((oh + 1) * IH) / OH);
          for (let ow = 0; ow < OW; ow++) {
            const o = n * tn + c * tc + od * td + oh * th + ow * tw;
            const g = gy[o];
            if (op === 'avg_backward') {
              const w0 = Math.floor((ow * IW) / OW),
                w1 = Math.ceil(((ow + 1) * IW) / OW);
              const delta = g / ((d1 - d0) * (h1 - h0) * (w1 - w0));
              for (let d = d0; d < d1; d++)
                for (let h = h0; h < h1; h++)
                  for (let w = w0; w < w1; w++)
                    gx[n * sn + c * sc + d * sd + h * sh + w * sw] += delta;
            } else {
              const i = indices[o];
              const d = Math.floor(i / (IH * IW)),
                h = Math.floor(i / IW) % IH,
                w = i % IW;
              gx[n * sn + c * sc + d * sd + h * sh + w * sw] += g;
            }
          }
        }
      }
    }
  }
}
