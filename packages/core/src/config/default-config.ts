/** Built-in defaults: the lowest config layer. */
export const DEFAULT_CONFIG = {
  environment: 'local_apt_linux',
  environments: {
    local_apt_linux: {
      description: 'Local image store, Debian/Ubuntu images, apt',
      cloud: 'local', blockdevice: 'linux', volume: 'linux', os: 'debian', provisioner: 'apt', finalizer: 'local', metrics: 'log', verifier: 'qemu',
    },
    local_yum_linux: {
      description: 'Local image store, Red Hat family images, dnf/yum',
      cloud: 'local', blockdevice: 'linux', volume: 'linux', os: 'redhat', provisioner: 'yum', finalizer: 'local', metrics: 'log', verifier: 'qemu',
    },
    ec2_apt_linux: {
      description: 'EC2 with EBS volumes, Debian/Ubuntu AMIs, apt',
      cloud: 'ec2', blockdevice: 'linux', volume: 'linux', os: 'debian', provisioner: 'apt', finalizer: 'ebs', metrics: 'log', verifier: 'qemu',
    },
    ec2_yum_linux: {
      description: 'EC2 with EBS volumes, Red Hat family AMIs, dnf/yum',
      cloud: 'ec2', blockdevice: 'linux', volume: 'linux', os: 'redhat', provisioner: 'yum', finalizer: 'ebs', metrics: 'log', verifier: 'qemu',
    },
  },
  pluginPaths: [],
  workRoot: '/var/lib/aminator/work',
  lockDir: '/run/lock/aminator',
  preserveOnError: false,
  abortGraceMs: 10_000,
} as const;
