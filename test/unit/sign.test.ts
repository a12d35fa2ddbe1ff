import { describe, expect, it } from 'vitest';
import { computeSignature, signParams } from '../../src/compshare/sign.js';
import { flattenParams } from '../../src/compshare/encode.js';

const UCLOUD_PUBLIC = 'ucloudsomeone@example.com1296235120854146120';
const UCLOUD_PRIVATE = '46f09bb9fab4f12dfc160dae12273d5332b5debe';

// Every known-answer vector in shared/compshare-api.md.
describe('computeSignature', () => {
  it('signs without a public key added', () => {
    expect(computeSignature({ foo: 'bar' }, 'my_private_key')).toBe('634edc1bb957c0d65e5ab5494cf3b7784fbc87af');
  });

  it('signs with the public key added as a param', () => {
    expect(signParams({ foo: 'bar' }, 'my_public_key', 'my_private_key').Signature).toBe(
      'd4411ab30953fb0bbcb1e7313081f05e4e91a394',
    );
  });

  it('signs a CreateUHostInstance request', () => {
    const params = flattenParams({
      Action: 'CreateUHostInstance',
      CPU: 2,
      ChargeType: 'Month',
      DiskSpace: 10,
      ImageId: 'f43736e1-65a5-4bea-ad2e-8a46e18883c2',
      LoginMode: 'Password',
      Memory: 2048,
      Name: 'Host01',
      Password: 'VUNsb3VkLmNu',
      Quantity: 1,
      Region: 'cn-bj2',
      Zone: 'cn-bj2-04',
    });
    expect(signParams(params, UCLOUD_PUBLIC, UCLOUD_PRIVATE).Signature).toBe('4f9ef5df2abab2c6fccd1e9515cb7e2df8c6bb65');
  });

  it('signs a DescribeUHostInstance request', () => {
    const params = flattenParams({ Action: 'DescribeUHostInstance', Region: 'cn-bj2', Limit: 10 });
    expect(signParams(params, UCLOUD_PUBLIC, UCLOUD_PRIVATE).Signature).toBe('cba5cf5ec4d4233d206b1b54951e3787350a642f');
  });

  it('sorts list indexes by code point, so Backends.10 comes before Backends.2', () => {
    const backends = Array.from({ length: 4 }, () => ['foo', 'bar', 42]).flat();
    const params = flattenParams({ Action: 'AllocateBackendBatch', Backends: backends });
    expect(Object.keys(params)).toContain('Backends.11');
    expect(signParams(params, UCLOUD_PUBLIC, UCLOUD_PRIVATE).Signature).toBe('6bc32642779f8cb0bb3d3f128b1c0688abf9a1a3');
  });

  it('signs a CreateCompShareInstance request with a Disks list', () => {
    const params = flattenParams({
      Action: 'CreateCompShareInstance',
      CPU: 16,
      ChargeType: 'Dynamic',
      CompShareImageId: 'compshareImage-xxx',
      Disks: [{ IsBoot: true, Size: 200, Type: 'CLOUD_SSD' }],
      EnableUS3: false,
      GPU: 1,
      GpuType: '4090',
      MachineType: 'G',
      Memory: 65536,
      Name: 'n1',
      ProjectId: 'org-xxx',
      Region: 'cn-wlcb',
      Zone: 'cn-wlcb-01',
    });
    expect(signParams(params, 'pub', 'priv').Signature).toBe('afc65f4c4c8d650652eb22070bacf12131bcecb6');
  });

  it('ignores an existing Signature param when signing', () => {
    expect(computeSignature({ foo: 'bar', Signature: 'stale' }, 'my_private_key')).toBe(
      computeSignature({ foo: 'bar' }, 'my_private_key'),
    );
  });
});
