/** The bake's Ec2Session, registered by cloud-ec2 and injected by finalizer-ebs. */
export const EC2_SESSION = Symbol.for('aminator.cloud.ec2.session');
